"""Seed 1's "main on 5432, features on 5433+": a worktree's container port can be pinned
(`[worktrees."main"] port = 5432`). A pinned port is used when free; when it is taken the create
is refused naming who holds it — another wttui container and its worktree, another container,
or the program listening — and nothing is made. An unpinned port that moves because of a clash
says so in the log and on the target the Database pane shows."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from tests import steps
from tests.cli.conftest import on_terminal
from tests.containers.test_container_strategy import squat
from tests.repo_factory import git
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.ports import port_range, preferred_port
from wttui.core.urls import url_parts
from wttui.providers.docker_engine import DockerProvider
from wttui.providers.envfile import read_env
from wttui.services import Services

Factory = Callable[..., Services]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pin(services: Services, branch: str, port: int) -> Services:
    config = services.root / ".wttui.toml"
    config.write_text(config.read_text() + f'\n[worktrees."{branch}"]\nport = {port}\n')
    git(services.root, "commit", "-qam", f"pin {branch}")
    return Services.from_path(services.root)


def nothing_made(services: Services, docker: DockerProvider, branch: str) -> None:
    assert branch not in git(services.root, "worktree", "list")
    assert docker.containers(services.project) == []


@pytest.fixture
def listening() -> Iterator[tuple[int, socket.socket]]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield int(sock.getsockname()[1]), sock
    sock.close()


def test_a_free_pinned_port_is_used(container_repo: Factory, docker: DockerProvider) -> None:
    port = free_port()
    services = pin(container_repo(), "feat/pin", port)  # outside [container] ports, on purpose
    view = steps.create(services, "feat/pin")
    assert view.target is not None
    assert url_parts(view.target.url)["port"] == str(port)
    assert view.target.port_note == ""
    assert read_env(view.worktree.path / ".env")["DB_PORT"] == str(port)
    info = docker.get(view.target.container or "")
    assert info is not None
    assert info.port == port


def test_pinned_port_held_by_a_process_is_refused_naming_it(
    container_repo: Factory, docker: DockerProvider, listening: tuple[int, socket.socket]
) -> None:
    port, _ = listening
    services = pin(container_repo(), "main2", port)
    code, output = on_terminal(services.root, "create", "main2")
    assert code == 4, output
    assert f"port {port}, pinned for main2, is taken by" in output
    assert f"(pid {os.getpid()})" in output  # this test's own process holds it
    nothing_made(services, docker, "main2")


def test_pinned_port_held_by_another_wttui_container_names_its_worktree(
    container_repo: Factory, docker: DockerProvider
) -> None:
    other = container_repo()
    held = steps.create(other, "feat/first").target
    assert held is not None
    port = int(url_parts(held.url)["port"])
    services = pin(container_repo(), "feat/second", port)
    code, output = on_terminal(services.root, "create", "feat/second")
    assert code == 4, output
    assert (
        f"is taken by wttui container {held.container} of worktree feat/first "
        f"(project {other.project})"
    ) in output
    nothing_made(services, docker, "feat/second")


def test_pinned_port_held_by_any_container_names_it(
    container_repo: Factory, docker: DockerProvider, image: str
) -> None:
    port = free_port()
    services = pin(container_repo(), "feat/p", port)
    name = f"{services.project}-squatter-{uuid.uuid4().hex[:6]}"
    docker.client.containers.create(image, name=name, ports={"5432/tcp": ("127.0.0.1", port)})
    try:
        code, output = on_terminal(services.root, "create", "feat/p")
        assert code == 4, output
        assert f"is taken by container {name}, created" in output  # made, never started
        assert "feat/p" not in git(services.root, "worktree", "list")
    finally:
        docker.client.containers.get(name).remove(force=True)


def bind_when_free(sock: socket.socket, port: int) -> None:
    """Docker's port proxy lets go of a stopped container's port a moment after `stop`."""
    deadline = time.monotonic() + 10
    while True:
        try:
            sock.bind(("127.0.0.1", port))
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_stopped_pinned_container_whose_port_was_taken_is_not_started(
    container_repo: Factory, docker: DockerProvider
) -> None:
    port = free_port()
    services = pin(container_repo(), "feat/s", port)
    target = steps.create(services, "feat/s").target
    assert target is not None
    steps.container(services, "feat/s", "stop")
    with socket.socket() as squatter:
        # As servers do: connections the stopped container left in TIME_WAIT don't block it.
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        bind_when_free(squatter, port)
        squatter.listen()
        code, output = on_terminal(services.root, "start", "feat/s")
    assert code == 4, output
    assert f"Cannot start the container of feat/s: port {port}" in output
    assert f"(pid {os.getpid()})" in output
    info = docker.get(target.container or "")
    assert info is not None
    assert not info.running


def test_an_unpinned_port_that_moves_says_so(container_repo: Factory) -> None:
    services, preferred, squatter = squat(container_repo)
    sink = ListSink()
    with squatter:
        view = steps.create(services, "feat/clash", sink=sink, cancel=CancelToken())
    assert view.target is not None
    port = int(url_parts(view.target.url)["port"])
    said = [line for line in sink.text.splitlines() if f"({preferred} is taken" in line]
    assert said, sink.text
    assert f"Port {port} ({preferred} is taken by" in said[0]
    assert f"(pid {os.getpid()})" in said[0]
    # What the Database pane shows for it afterwards, from the container's own label.
    assert view.target.port_note == f"{port} ({preferred} was taken)"


def test_two_worktrees_pinned_to_one_port_is_bad_config(container_repo: Factory) -> None:
    services = container_repo()
    config = services.root / ".wttui.toml"
    config.write_text(
        config.read_text() + '\n[worktrees."a"]\nport = 5432\n[worktrees."b"]\nport = 5432\n'
    )
    code, output = on_terminal(services.root, "status")
    assert code == 2, output
    assert 'worktrees."b".port: 5432 is already pinned for a' in output


def test_pin_in_the_dry_run(container_repo: Factory) -> None:
    port = free_port()
    services = pin(container_repo(), "feat/d", port)
    code, output = on_terminal(services.root, "create", "feat/d", "--dry-run")
    assert code == 0, output
    assert f"127.0.0.1:{port}" in output


def test_a_port_pinned_for_another_worktree_is_left_to_it(container_repo: Factory) -> None:
    services = container_repo()
    preferred = preferred_port("feat/x", port_range(services.config.container.ports))
    services = pin(services, "main", preferred)
    view = steps.create(services, "feat/x")
    assert view.target is not None
    assert url_parts(view.target.url)["port"] != str(preferred)
    assert view.target.port_note.endswith(f"({preferred} is pinned for main)")
    # main's own container can still be made on it.
    main = Services.from_path(services.root).strategy("container").plan("main")
    assert main.port_clash == ""
    assert url_parts(main.url)["port"] == str(preferred)
