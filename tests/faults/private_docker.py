"""A Docker engine of the test's own, to kill with SIGKILL mid-create without touching the
engine every other test (and every other developer on the machine) shares.

It has its own socket, data root, exec root and pid file, and its own bridge (an interface
made for it, no iptables: ports are published by Docker's userland proxy), so killing it and
starting it again on the same directories is what a crashed and restarted daemon does. The
PostgreSQL test image is copied in from the shared engine once (`docker save | docker load`).
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import docker

from tests.conftest import require_component


def _running(pid: str) -> bool:
    """Whether process `pid` runs (a zombie does not)."""
    try:
        stat = Path(f"/proc/{int(pid)}/stat").read_text()
    except (OSError, ValueError):
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=False)


class PrivateDockerd:
    """One dockerd under a private directory, started, killed and restarted by the test."""

    def __init__(self, image: str) -> None:
        for program in ("dockerd", "docker", "ip"):
            if shutil.which(program) is None:
                require_component(f"{program}", "a private Docker engine needs it")
        if os.geteuid() != 0:
            require_component("root", "only root can start a private Docker engine")
        shared = subprocess.run(
            ["docker", "image", "inspect", image], capture_output=True, text=True, check=False
        )
        if shared.returncode:
            require_component(f"The image {image} on the shared engine", "scripts/build-pg-image")
        self.image = image
        # Unix socket paths are short: a short directory under /tmp.
        self.dir = Path(tempfile.mkdtemp(prefix="wtd", dir="/tmp"))
        self.host = f"unix://{self.dir}/d.sock"
        self.bridge = f"wtd{random.randrange(16**8):08x}"[:15]
        self._make_bridge()
        self.process: subprocess.Popen[bytes] | None = None
        self.start()
        self._load_image()

    def _make_bridge(self) -> None:
        routes = _ip("-4", "route").stdout
        for _ in range(50):
            subnet = f"10.{random.randrange(200, 250)}.{random.randrange(256)}"
            if f"{subnet}." not in routes:
                break
        made = _ip("link", "add", self.bridge, "type", "bridge")
        if made.returncode:
            require_component("a network bridge", made.stderr.strip())
        _ip("addr", "add", f"{subnet}.1/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")

    @property
    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.host, timeout=30)

    def start(self) -> None:
        """Start dockerd on its directories (again, after a kill) and wait until it answers.

        The containerd a killed dockerd had started dies with it, but may linger as a zombie
        no one reaps; its pid file would make the new dockerd wait for it forever (as
        `scripts/docker-engine` does for the shared engine, the stale file is removed)."""
        containerd = self.dir / "x" / "containerd" / "containerd.pid"
        if containerd.exists() and not _running(containerd.read_text().strip()):
            containerd.unlink()
        log = open(self.dir / "dockerd.log", "ab")  # noqa: SIM115 - kept open for the child
        self.process = subprocess.Popen(
            [
                "dockerd",
                "--host",
                self.host,
                "--data-root",
                str(self.dir / "data"),
                "--exec-root",
                str(self.dir / "x"),
                "--pidfile",
                str(self.dir / "d.pid"),
                "--bridge",
                self.bridge,
                "--iptables=false",
                "--ip-masq=false",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 60
        while True:
            try:
                self.client.ping()
                return
            except Exception:  # noqa: BLE001 - not up yet, whatever the client says
                if self.process.poll() is not None or time.monotonic() > deadline:
                    tail = (self.dir / "dockerd.log").read_text(errors="replace")[-2000:]
                    require_component("a private Docker engine", f"dockerd did not start: {tail}")
                time.sleep(0.1)

    def ensure_running(self) -> None:
        """Start it again if a test left it killed."""
        if self.process is None or self.process.poll() is not None:
            self.start()

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def _load_image(self) -> None:
        saver = subprocess.Popen(["docker", "save", self.image], stdout=subprocess.PIPE)
        loaded = subprocess.run(
            ["docker", "-H", self.host, "load", "-q"],
            stdin=saver.stdout,
            capture_output=True,
            text=True,
            check=False,
        )
        saver.wait()
        if loaded.returncode or saver.returncode:
            require_component(f"{self.image} in the private engine", loaded.stderr.strip())

    def close(self) -> None:
        """Remove every container, stop dockerd, remove its bridge and directories."""
        if self.process is not None and self.process.poll() is None:
            try:
                for container in self.client.containers.list(all=True):
                    container.remove(force=True, v=True)
            except docker.errors.DockerException:
                pass
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        _ip("link", "del", self.bridge)
        # dockerd bind-mounts its data root on itself and leaves it mounted when it stops.
        mounts = Path("/proc/mounts").read_text().split("\n")
        points = [line.split()[1] for line in mounts if f" {self.dir}/" in line]
        for point in sorted(points, reverse=True):
            subprocess.run(["umount", "-l", point], capture_output=True, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


class KillAtStart:
    """A unix socket in front of the private engine that kills the engine (SIGKILL) the moment
    a client asks it to start a container — after the container was made, before it ran:
    "the Docker daemon killed right after Creating container", every time."""

    START = re.compile(rb"POST /v[0-9.]+/containers/[^/ ]+/start ")

    def __init__(self, engine: PrivateDockerd) -> None:
        self.engine = engine
        self.path = engine.dir / "proxy.sock"
        self.host = f"unix://{self.path}"
        self.killed = threading.Event()
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(str(self.path))
        self.listener.listen()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            try:
                upstream.connect(str(self.engine.dir / "d.sock"))
            except OSError:
                client.close()  # the engine is down: as if nothing listened
                continue
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, watch: bool) -> None:
        try:
            while data := source.recv(65536):
                if watch and not self.killed.is_set() and self.START.search(data):
                    self.engine.kill()
                    self.killed.set()
                    raise OSError("the engine was killed")
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def close(self) -> None:
        self.listener.close()
