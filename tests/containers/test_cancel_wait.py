"""Ctrl-C (the app's `x`) while a new container starts: the wait for it to accept connections
stops at once — not after `[container] ready_timeout` — and the container it made is removed,
its volume too. On a real Docker engine, with an image whose server never comes up."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from tests import steps
from tests.containers.conftest import remove_project
from wttui.core.logsink import CancelToken, ListSink
from wttui.errors import EXIT_INTERRUPTED, Cancelled
from wttui.providers.docker_engine import DockerProvider
from wttui.services import Services

Factory = Callable[..., Services]
WAITING = "Waiting for PostgreSQL in"
READY_TIMEOUT = 120
"""Far longer than any test should take: a wait that ignored the cancel would hit it."""


@pytest.fixture
def never_ready(docker: DockerProvider, image: str) -> Iterator[str]:
    """An image whose container runs but never accepts connections on the port wttui
    publishes (its server listens on another one; the image has no `sleep`)."""
    tag = f"wttui-test-asleep:{uuid.uuid4().hex[:8]}"
    donor = docker.client.containers.create(image)
    try:
        donor.commit(
            repository=tag.split(":")[0],
            tag=tag.split(":")[1],
            changes=['CMD ["-p", "5433"]'],
        )
    finally:
        donor.remove(v=True)
    yield tag
    docker.client.images.remove(tag, force=True)


@dataclass
class CancelWhenWaiting(ListSink):
    """Narration that cancels `token` (from another thread, as Ctrl-C's handler does) once the
    wait for the container has begun."""

    token: CancelToken | None = None
    cancelled_at: float | None = None

    def line(self, text: str, *, stream: str = "out") -> None:
        super().line(text, stream=stream)
        if text.startswith(WAITING) and self.token is not None:
            token = self.token

            def press() -> None:
                time.sleep(1.0)  # well inside the wait
                self.cancelled_at = time.monotonic()
                token.cancel()

            threading.Thread(target=press, daemon=True).start()


def project_leftovers(docker: DockerProvider, project: str) -> list[str]:
    containers = [c.name for c in docker.containers(project)]
    volumes = [v.name for v in docker.client.volumes.list() if v.name.startswith(f"{project}_")]
    return containers + volumes


def test_cancel_during_the_wait_stops_it_and_removes_the_new_container(
    container_repo: Factory, docker: DockerProvider, never_ready: str
) -> None:
    services = container_repo(image=never_ready, ready_timeout=READY_TIMEOUT)
    token = CancelToken()
    sink = CancelWhenWaiting(token=token)
    try:
        with pytest.raises(Cancelled):
            steps.create(services, "feat/asleep", sink=sink, cancel=token)
        assert sink.cancelled_at is not None
        stopped_after = time.monotonic() - sink.cancelled_at
        assert stopped_after < READY_TIMEOUT / 4, sink.text  # the cancel, not the timeout
        assert project_leftovers(docker, services.project) == [], sink.text
        assert "Removed container" in sink.text
    finally:
        remove_project(docker, services.project)


def test_ctrl_c_during_wttui_create_exits_130_and_leaves_no_container(
    container_repo: Factory, docker: DockerProvider, never_ready: str
) -> None:
    services = container_repo(image=never_ready, ready_timeout=READY_TIMEOUT)
    process = subprocess.Popen(
        [sys.executable, "-m", "wttui", "create", "feat/ctrlc"],
        cwd=services.root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        said: list[str] = []
        for line in process.stderr:
            said.append(line)
            if WAITING in line:
                break
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=READY_TIMEOUT / 4)  # the cancel, not the timeout
        said.append(rest)
        out = "".join(said)
        assert process.returncode == EXIT_INTERRUPTED, out
        assert "Traceback" not in out
        last = out.strip().splitlines()[-1]
        assert last.startswith("wttui: Cancelled during"), out
        assert "Removed container" in out
        assert project_leftovers(docker, services.project) == [], out
    finally:
        if process.poll() is None:
            process.kill()
        remove_project(docker, services.project)
