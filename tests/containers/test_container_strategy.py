"""A PostgreSQL container per worktree, on a real Docker engine."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from tests import steps
from tests.containers.conftest import compose_worktree, remove_project
from tests.repo_factory import tables
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import DbStatus
from wttui.core.ports import port_range, preferred_port
from wttui.errors import DockerUnavailable, WttuiError
from wttui.providers.docker_engine import DockerProvider
from wttui.providers.envfile import read_env
from wttui.providers.postgres import PostgresProvider
from wttui.services import Services
from wttui.snapshot import read_view

Factory = Callable[..., Services]


def create(services: Services, branch: str) -> None:
    steps.create(services, branch, sink=ListSink(), cancel=CancelToken())


def test_create_stop_start_remove(container_repo: Factory, docker: DockerProvider) -> None:
    services = container_repo()
    create(services, "feat/box")
    view = read_view(services, "feat/box")
    target = view.target
    assert target is not None
    assert target.container == f"{services.project}_feat__box"
    assert view.db_status is DbStatus.PRESENT
    assert view.counts.applied == 2
    assert {"users", "orders"} <= tables(target.url)

    info = docker.get(target.container)
    assert info is not None
    assert info.volume == f"{services.project}_feat__box_pgdata"
    bindings = docker.client.containers.get(target.container).attrs["HostConfig"]["PortBindings"]
    assert bindings["5432/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": str(info.port)}]
    labels = docker.client.containers.get(target.container).labels
    assert labels["wttui.worktree"] == "feat/box"
    assert labels["wttui.port"] == str(info.port)

    env = read_env(view.worktree.path / ".env")
    assert env["DB_PORT"] == str(info.port)
    assert env["COMPOSE_PROJECT_NAME"] == target.container
    assert env["DATABASE_URL"] == target.url

    with psycopg.connect(target.url, autocommit=True) as conn:
        conn.execute("INSERT INTO users (email) VALUES ('kept@example.com')")
    steps.container(services, "feat/box", "stop", sink=ListSink(), cancel=CancelToken())
    assert read_view(services, "feat/box").db_status is DbStatus.STOPPED
    steps.container(services, "feat/box", "start", sink=ListSink(), cancel=CancelToken())
    steps.container(services, "feat/box", "restart", sink=ListSink(), cancel=CancelToken())
    again = read_view(services, "feat/box")
    assert again.target == target  # same port and URL after a restart
    with psycopg.connect(target.url) as conn:
        assert conn.execute("SELECT email FROM users").fetchall() == [("kept@example.com",)]

    sink = ListSink()
    steps.remove(services, "feat/box", sink=sink, cancel=CancelToken())
    assert docker.get(target.container) is None
    trashed = [c for c in docker.volume_users(str(info.volume)) if c.startswith("wttui_trash_")]
    assert len(trashed) == 1  # in the trash, with its data, for `wttui undo`
    create(services, "feat/box")  # the same branch again: a fresh volume, never the trashed one
    fresh = read_view(services, "feat/box").target
    assert fresh is not None
    with psycopg.connect(fresh.url) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (0,)
    assert docker.volume_users(str(info.volume)) == trashed


def squat(container_repo: Factory) -> tuple[Services, int, socket.socket]:
    """A repository whose preferred port for `feat/clash` this test holds (another range is
    tried when something else on the machine already has that port)."""
    for _ in range(5):
        services = container_repo()
        preferred = preferred_port("feat/clash", port_range(services.config.container.ports))
        squatter = socket.socket()
        try:
            squatter.bind(("127.0.0.1", preferred))
        except OSError:
            squatter.close()
            continue
        squatter.listen()
        return services, preferred, squatter
    raise AssertionError("no free preferred port in five ranges")


def test_taken_port_moves_to_the_next_free_one(container_repo: Factory) -> None:
    services, preferred, squatter = squat(container_repo)
    ports = port_range(services.config.container.ports)
    with squatter:
        create(services, "feat/clash")
        target = read_view(services, "feat/clash").target
    assert target is not None
    port = int(target.url.rsplit(":", 1)[1].split("/")[0])
    assert port != preferred
    assert port in ports


def test_two_worktrees_at_once(container_repo: Factory) -> None:
    services = container_repo()
    errors: list[BaseException] = []

    def make(branch: str) -> None:
        try:
            create(services, branch)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=make, args=(b,)) for b in ("feat/one", "feat/two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    one, two = read_view(services, "feat/one"), read_view(services, "feat/two")
    assert one.target is not None
    assert two.target is not None
    assert one.target.url != two.target.url
    assert one.counts.applied == two.counts.applied == 2


def test_compose_made_container_is_recognised(
    container_repo: Factory, docker: DockerProvider, image: str, tmp_path: Path
) -> None:
    services = container_repo()
    container = compose_worktree(services, docker, image, "auth", tmp_path / "auth")
    target = read_view(services, "auth").target
    assert target is not None
    assert target.container == container
    assert target.name == "app"
    wait_until_ready(target.url)  # as compose would have it, up before anyone migrates
    steps.migrate(services, "auth", sink=ListSink(), cancel=CancelToken())
    assert read_view(services, "auth").counts.applied == 2  # migrated into the compose container
    assert [c.name for c in docker.containers(services.project)] == [container]


class EngineProxy:
    """A unix socket that forwards to the real Docker engine until `cut()`: the engine going
    away in the middle of an action, for real, without stopping it for the other tests."""

    def __init__(self, path: Path, engine: str = "/var/run/docker.sock") -> None:
        self.path, self.engine = path, engine
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(str(path))
        self.listener.listen()
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.engine)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.listener.close()
        for end in self.open:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()


class CutAt(ListSink):
    """Narration that cuts the engine off when the action reaches a given step."""

    def __init__(self, proxy: EngineProxy, step: str) -> None:
        super().__init__()
        self.proxy, self.at = proxy, step

    def step(self, text: str) -> None:
        super().step(text)
        if text.startswith(self.at):
            self.proxy.cut()


def test_docker_gone_mid_create_then_rerun_finishes(
    container_repo: Factory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    services = container_repo()
    proxy = EngineProxy(tmp_path / "engine.sock")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{proxy.path}")
    cut = CutAt(proxy, "Adding worktree")
    with pytest.raises(DockerUnavailable, match=f"Docker is not reachable at unix://{proxy.path}"):
        steps.create(
            Services.from_path(services.root), "feat/later", sink=cut, cancel=CancelToken()
        )
    assert services.git.find_worktree("feat/later") is not None  # the git part was done

    monkeypatch.delenv("DOCKER_HOST")
    sink = ListSink()
    steps.create(Services.from_path(services.root), "feat/later", sink=sink, cancel=CancelToken())
    assert "Resuming create of feat/later" in sink.text
    view = read_view(services, "feat/later")
    assert view.db_status is DbStatus.PRESENT
    assert view.counts.applied == 2


def test_missing_image_says_how_to_get_it(container_repo: Factory, docker: DockerProvider) -> None:
    services = container_repo(image="wttui-no-such-image:1")
    with pytest.raises(DockerUnavailable, match="wttui-no-such-image:1 is not on the Docker") as e:
        create(services, "feat/noimg")
    assert e.value.hint is not None
    assert "docker load" in e.value.hint
    assert not docker.containers(services.project)


def test_container_that_exits_on_start_is_removed_with_its_logs(
    container_repo: Factory, docker: DockerProvider, image: str
) -> None:
    broken = f"wttui-test-broken:{services_tag()}"
    donor = docker.client.containers.create(image)
    try:
        donor.commit(
            repository=broken.split(":")[0],
            tag=broken.split(":")[1],
            changes=['ENTRYPOINT ["/bin/sh", "-c", "echo config is broken >&2; exit 3"]'],
        )
    finally:
        donor.remove(v=True)
    try:
        services = container_repo(image=broken)
        sink = ListSink()
        with pytest.raises(DockerUnavailable, match="exited on start") as e:
            steps.create(services, "feat/broken", sink=sink, cancel=CancelToken())
        assert "config is broken" in e.value.message
        assert not docker.containers(services.project)  # nothing half-made left behind
        remove_project(docker, services.project)
    finally:
        docker.client.images.remove(broken, force=True)


def wait_until_ready(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            PostgresProvider(url).ping()
            return
        except WttuiError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def services_tag() -> str:
    import uuid

    return uuid.uuid4().hex[:8]


def test_keep_volume_policy_keeps_the_data_for_the_next_create(
    container_repo: Factory, docker: DockerProvider
) -> None:
    services = container_repo(keep_volume=True)
    create(services, "feat/vol")
    target = read_view(services, "feat/vol").target
    assert target is not None
    with psycopg.connect(target.url, autocommit=True) as conn:
        conn.execute("INSERT INTO users (email) VALUES ('survivor@example.com')")
    steps.remove(services, "feat/vol", sink=ListSink(), cancel=CancelToken())
    assert docker.get(f"{services.project}_feat__vol") is None
    assert [
        v for v in docker.client.volumes.list() if v.name == f"{services.project}_feat__vol_pgdata"
    ]

    create(services, "feat/vol")
    again = read_view(services, "feat/vol").target
    assert again is not None
    with psycopg.connect(again.url) as conn:
        assert conn.execute("SELECT email FROM users").fetchall() == [("survivor@example.com",)]


def test_reset_starts_from_nothing_even_with_keep_volume(container_repo: Factory) -> None:
    services = container_repo(keep_volume=True)
    create(services, "feat/reset")
    target = read_view(services, "feat/reset").target
    assert target is not None
    with psycopg.connect(target.url, autocommit=True) as conn:
        conn.execute("INSERT INTO users (email) VALUES ('old@example.com')")
    steps.reset(services, "feat/reset", sink=ListSink(), cancel=CancelToken())
    again = read_view(services, "feat/reset").target
    assert again is not None
    with psycopg.connect(again.url) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (0,)
