"""F3, the embedded default: wttui's own PostgreSQL cluster in the user data directory.

With no server URL configured, wttui initialises a cluster with `initdb` (password auth, a
random superuser password kept in a 0600 file), and starts it with `pg_ctl` on 127.0.0.1 and a
free port, on demand. The port is recorded so restarts agree; if another process took it, the
next start moves to a free one.

`initdb` and `pg_ctl` refuse to run as root, and dev containers and CI run as root. Then the
server runs as an unprivileged user (`postgres` if it exists, else `nobody`, or
`$WTTUI_CLUSTER_USER`) through `runuser`. That user may not be able to reach the data directory
(`/root` is 0700), so the cluster's files then live in a fallback directory derived from the
data directory's path, which every later call derives the same way.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wttui.core.urls import build_url, mask_url
from wttui.errors import ServerSetupError
from wttui.providers.host_ports import free_port, port_is_free

SUPERUSER = "postgres"
START_TIMEOUT = 60
FALLBACK_ROOT = Path("/var/lib/wttui/clusters")
_INSTALL_HINT = (
    "install the PostgreSQL server package (Debian/Ubuntu: apt-get install postgresql; "
    "macOS: brew install postgresql@16), or set [database] url in .wttui.toml to use an "
    "existing server"
)


@dataclass(frozen=True)
class ClusterStatus:
    """What `wttui server status` shows."""

    initialised: bool
    running: bool
    port: int | None
    data_dir: Path
    cluster_dir: Path
    version: str | None
    pid: int | None
    log_path: Path
    masked_url: str | None


def find_bin_dir(bin_dir: Path | None = None) -> Path:
    """The directory holding `initdb` and `pg_ctl`: given, on PATH, or the newest Debian one.

    Raises:
        ServerSetupError: no server binaries anywhere, with what to install.
    """
    candidates: list[Path] = []
    if bin_dir is not None:
        candidates.append(bin_dir)
    else:
        on_path = shutil.which("pg_ctl")
        if on_path:
            candidates.append(Path(on_path).resolve().parent)
        debian = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
        candidates.extend(debian)
    for candidate in candidates:
        if all((candidate / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return candidate
    raise ServerSetupError(
        "No PostgreSQL server binaries found (initdb, pg_ctl)", hint=_INSTALL_HINT
    )


def _world_traversable(path: Path) -> bool:
    for part in [path, *path.parents]:
        try:
            mode = part.stat().st_mode
        except FileNotFoundError:
            continue
        if not mode & stat.S_IXOTH:
            return False
    return True


class LocalCluster:
    """The embedded cluster whose metadata lives in `data_dir`."""

    def __init__(self, data_dir: Path, *, bin_dir: Path | None = None) -> None:
        self.data_dir = data_dir
        self._bin_dir = bin_dir
        self._state_path = data_dir / "cluster.json"
        self._password_path = data_dir / "cluster.password"
        self._lock_path = data_dir / "cluster.lock"

    # -- where things are --------------------------------------------------------------------

    @property
    def run_as(self) -> str | None:
        """The unprivileged user that runs the server when wttui is root, else None."""
        if os.geteuid() != 0:
            return None
        wanted = os.environ.get("WTTUI_CLUSTER_USER")
        for name in ([wanted] if wanted else []) + ["postgres", "nobody"]:
            try:
                pwd.getpwnam(name)
            except KeyError:
                continue
            return name
        raise ServerSetupError(
            "wttui runs as root and there is no unprivileged user to run PostgreSQL",
            hint="create a `postgres` user or set WTTUI_CLUSTER_USER",
        )

    @property
    def cluster_dir(self) -> Path:
        """Where the server's own files live (see the module docstring for the root case)."""
        home = self.data_dir / "cluster"
        if os.geteuid() != 0 or _world_traversable(self.data_dir):
            return home
        digest = hashlib.sha256(str(self.data_dir.resolve()).encode()).hexdigest()[:12]
        return FALLBACK_ROOT / digest

    @property
    def pgdata(self) -> Path:
        return self.cluster_dir / "pgdata"

    @property
    def log_path(self) -> Path:
        return self.cluster_dir / "server.log"

    # -- state -------------------------------------------------------------------------------

    def _state(self) -> dict[str, object]:
        try:
            data = json.loads(self._state_path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save_state(self, **changes: object) -> None:
        state = {**self._state(), **changes}
        tmp = self._state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        os.replace(tmp, self._state_path)

    @property
    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").is_file() and self._password_path.is_file()

    def _running_pid_port(self) -> tuple[int, int] | None:
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # alive, owned by another user
        return pid, port

    def admin_url(self, port: int | None = None) -> str:
        """The superuser URL to the `postgres` database (with the password: never print it)."""
        port = port or int(str(self._state().get("port", 0)))
        password = self._password_path.read_text().strip()
        return build_url(
            host="127.0.0.1", port=port, dbname="postgres", user=SUPERUSER, password=password
        )

    def status(self) -> ClusterStatus:
        running = self._running_pid_port()
        state = self._state()
        port = running[1] if running else (int(str(state["port"])) if "port" in state else None)
        initialised = self.initialised
        return ClusterStatus(
            initialised=initialised,
            running=running is not None,
            port=port,
            data_dir=self.data_dir,
            cluster_dir=self.cluster_dir,
            version=str(state["version"]) if "version" in state else None,
            pid=running[0] if running else None,
            log_path=self.log_path,
            masked_url=mask_url(self.admin_url(port)) if initialised and port else None,
        )

    # -- doing things ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise init/start/stop across processes (xdist workers, the CLI and the app)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self._lock_path.open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _run(self, argv: list[str], *, timeout: float = START_TIMEOUT) -> str:
        tool = Path(argv[0]).name
        user = self.run_as
        if user is not None:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise ServerSetupError(
                    "wttui runs as root and `runuser` is missing, so it cannot start PostgreSQL "
                    "as an unprivileged user",
                    hint="install util-linux, or run wttui as a normal user",
                )
            argv = [runuser, "-u", user, "--", *argv]
        try:
            done = subprocess.run(
                argv,
                cwd=self.cluster_dir,
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "LC_ALL": "C"},
            )
        except subprocess.TimeoutExpired:
            raise ServerSetupError(
                f"{tool} timed out after {timeout:.0f} s",
                hint=f"see {self.log_path}",
            ) from None
        if done.returncode:
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
            raise ServerSetupError(
                f"{tool} failed: {tail}",
                hint=f"see {self.log_path}",
            )
        return done.stdout

    def _prepare_dir(self) -> None:
        home = self.cluster_dir
        home.mkdir(parents=True, exist_ok=True)
        user = self.run_as
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(home, entry.pw_uid, entry.pw_gid)
            os.chmod(home, 0o700)

    def init(self) -> None:
        """Create the cluster if it does not exist yet (idempotent)."""
        with self._locked():
            self._init_locked()

    def _init_locked(self) -> None:
        if self.initialised:
            return
        bin_dir = find_bin_dir(self._bin_dir)
        self._prepare_dir()
        if self.pgdata.exists():  # a half-finished earlier init: start again cleanly
            shutil.rmtree(self.pgdata)
        password = secrets.token_urlsafe(24)
        pwfile = self.cluster_dir / "initdb.pw"
        pwfile.write_text(password + "\n")
        user = self.run_as
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        os.chmod(pwfile, 0o600)
        try:
            self._run(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)
        with (self.pgdata / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                "# written by wttui: local connections only, over TCP\n"
                "listen_addresses = '127.0.0.1'\n"
                "unix_socket_directories = ''\n"
                "synchronous_commit = off\n"
            )
        version = (self.pgdata / "PG_VERSION").read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._password_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password + "\n")
        self._save_state(bin_dir=str(bin_dir), version=version, user=SUPERUSER)

    def start(self) -> None:
        """Start the server (initialising it first if needed); no-op when it runs."""
        with self._locked():
            self._init_locked()
            if self._running_pid_port() is not None:
                return
            state = self._state()
            port = int(str(state.get("port", 0)))
            if not port or not port_is_free(port):
                port = free_port()
            bin_dir = self._recorded_bin_dir()
            (self.pgdata / "postmaster.pid").unlink(missing_ok=True)  # stale after a crash
            try:
                self._run(
                    [
                        str(bin_dir / "pg_ctl"),
                        "start",
                        "-w",
                        "-t",
                        str(START_TIMEOUT),
                        "-D",
                        str(self.pgdata),
                        "-l",
                        str(self.log_path),
                        "-o",
                        f"-p {port}",
                    ],
                    timeout=START_TIMEOUT + 10,
                )
            except ServerSetupError as exc:
                raise ServerSetupError(
                    f"The embedded PostgreSQL did not start on 127.0.0.1:{port}: "
                    + self._log_tail(),
                    hint=exc.hint,
                ) from None
            self._save_state(port=port)

    def _recorded_bin_dir(self) -> Path:
        recorded = self._state().get("bin_dir")
        if recorded and Path(str(recorded)).is_dir():
            return find_bin_dir(Path(str(recorded)))
        return find_bin_dir(self._bin_dir)

    def _log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "no server log"
        return " | ".join(text.strip().splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server (fast shutdown); no-op when it is not running."""
        with self._locked():
            if self._running_pid_port() is None:
                return
            bin_dir = self._recorded_bin_dir()
            self._run([str(bin_dir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.pgdata)])
            deadline = time.monotonic() + 10
            while self._running_pid_port() is not None and time.monotonic() < deadline:
                time.sleep(0.1)

    def destroy(self) -> None:
        """Stop the server and delete the cluster and its metadata (tests, throwaway demos)."""
        self.stop()
        with self._locked():
            shutil.rmtree(self.cluster_dir, ignore_errors=True)
            for path in (self._state_path, self._password_path):
                path.unlink(missing_ok=True)

    def ensure_running(self) -> str:
        """Initialise and start as needed; return the admin URL (with password)."""
        running = self._running_pid_port()
        if running is None or not self._password_path.is_file():
            self.start()
            running = self._running_pid_port()
        return self.admin_url(running[1] if running else None)
