"""F3: the embedded cluster, for real (this machine runs the tests as root, like CI)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from wttui.errors import ServerSetupError
from wttui.providers.local_cluster import LocalCluster, find_bin_dir


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    try:
        find_bin_dir()
    except ServerSetupError as exc:
        from tests.conftest import require_component

        require_component("PostgreSQL server binaries", str(exc))
    local = LocalCluster(tmp_path / "data")
    yield local
    local.destroy()


def test_init_start_status_stop(cluster: LocalCluster) -> None:
    before = cluster.status()
    assert (before.initialised, before.running) == (False, False)
    url = cluster.ensure_running()
    status = cluster.status()
    assert status.running
    assert status.masked_url == f"postgresql://postgres:***@127.0.0.1:{status.port}/postgres"
    with psycopg.connect(url) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
    password_file = cluster.data_dir / "cluster.password"
    assert oct(password_file.stat().st_mode & 0o777) == "0o600"
    cluster.stop()
    assert not cluster.status().running
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)


def test_restart_keeps_the_port_unless_taken(cluster: LocalCluster) -> None:
    url = cluster.ensure_running()
    port = cluster.status().port
    # A session open while the server stops leaves its side of the connection in TIME_WAIT on
    # the server's port; the restart must still take that port (every .env names it).
    with psycopg.connect(url):
        cluster.stop()
        cluster.start()
        assert cluster.status().port == port
    cluster.stop()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port or 0))
        squatter.listen()
        url = cluster.ensure_running()
        moved = cluster.status().port
        assert moved != port
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)


def test_wrong_password_is_refused(cluster: LocalCluster) -> None:
    cluster.ensure_running()
    port = cluster.status().port
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(f"postgresql://postgres:nope@127.0.0.1:{port}/postgres")


def test_missing_binaries_say_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    cluster = LocalCluster(tmp_path / "data", bin_dir=empty)
    with pytest.raises(ServerSetupError) as info:
        cluster.ensure_running()
    assert info.value.message == "No PostgreSQL server binaries found (initdb, pg_ctl)"
    assert info.value.hint is not None
    assert "apt-get install postgresql" in info.value.hint
    assert "[database] url" in info.value.hint


@pytest.mark.skipif(os.geteuid() != 0, reason="checks the root path; CI runs as root")
def test_as_root_the_server_runs_as_an_unprivileged_user(cluster: LocalCluster) -> None:
    cluster.ensure_running()
    owner = cluster.pgdata.stat().st_uid
    assert owner != 0
    pid = cluster.status().pid
    assert pid is not None
    assert Path(f"/proc/{pid}").stat().st_uid == owner
