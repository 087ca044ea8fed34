"""Servers whose encoding is `SQL_ASCII` (a cluster made by `initdb` with `LANG=C`, common in
home-made images): psycopg hands back bytes there unless the client encoding is set, which
crashed every read of a tracking table after the create had succeeded. Tested on a `SQL_ASCII`
cluster made by this test session, and on a `SQL_ASCII` database of the session's cluster."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests import steps
from tests.conftest import require_component
from tests.repo_factory import BASE_MIGRATIONS, make_repo
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState
from wttui.core.urls import with_database
from wttui.errors import ServerSetupError
from wttui.migrations.adapter import ApplyContext
from wttui.migrations.runner import Runner
from wttui.migrations.tools.prisma import PrismaAdapter
from wttui.migrations.tools.sql import SqlAdapter
from wttui.providers.host_ports import free_port
from wttui.providers.local_cluster import find_bin_dir
from wttui.providers.postgres import PostgresProvider
from wttui.services import Services
from wttui.snapshot import read_view

CAFE = "-- migrate:up\nCREATE TABLE café (id int);\nCOMMENT ON TABLE café IS 'crème';\n"


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if runuser is None:
        require_component("runuser", "root needs it to run PostgreSQL as another user")
    return [runuser, "-u", "postgres" if _has_user("postgres") else "nobody", "--", *argv]


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture(scope="module")
def ascii_cluster_url() -> Iterator[str]:
    """A cluster made with `initdb -E SQL_ASCII --locale=C` (trust auth on 127.0.0.1 only),
    stopped and removed after the module."""
    try:
        bin_dir = find_bin_dir().path
    except ServerSetupError as exc:
        require_component("PostgreSQL", str(exc))
    home = Path(tempfile.mkdtemp(prefix="wttui-sqlascii-", dir="/tmp"))
    os.chmod(home, 0o755)
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres" if _has_user("postgres") else "nobody")
        os.chown(home, user.pw_uid, user.pw_gid)
    pgdata = home / "pgdata"
    port = free_port()
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    run = {"check": True, "capture_output": True, "env": env, "timeout": 120, "cwd": home}
    subprocess.run(
        _as_server_user(
            [str(bin_dir / "initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust"]
            + ["-E", "SQL_ASCII", "--locale=C"]
        ),
        **run,  # type: ignore[call-overload]
    )
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
    subprocess.run(
        _as_server_user(
            [str(bin_dir / "pg_ctl"), "start", "-w", "-D", str(pgdata), "-l", str(home / "log")]
            + ["-o", options]
        ),
        **run,  # type: ignore[call-overload]
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "stop", "-m", "fast", "-D", str(pgdata)]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(home, ignore_errors=True)


def test_the_cluster_really_is_sql_ascii(ascii_cluster_url: str) -> None:
    with psycopg.connect(ascii_cluster_url) as conn:
        # What a plain client gets there: bytes, not text (the cause of the crash).
        assert conn.execute("SHOW server_encoding").fetchone() == (b"SQL_ASCII",)


def test_create_then_status_on_a_sql_ascii_cluster(tmp_path: Path, ascii_cluster_url: str) -> None:
    """The reported path: the create succeeds, then every read of the tracking table crashed."""
    migrations = {**BASE_MIGRATIONS, "003_café.sql": CAFE}
    root = make_repo(tmp_path, ascii_cluster_url, migrations=migrations)
    services = Services.from_path(root)
    view = steps.create(services, "feat/x")
    assert view.errors == ()
    assert [m.state for m in view.migrations] == [MigrationState.APPLIED] * 3
    assert view.migrations[2].name == "café"
    again = read_view(services, "feat/x")
    assert again.migrations == view.migrations


@pytest.fixture
def ascii_db(pg: PostgresProvider) -> Iterator[str]:
    """A `SQL_ASCII` database on the session's (UTF8) cluster."""
    name = f"test_ascii_{uuid.uuid4().hex[:8]}"
    with pg.connect(autocommit=True) as conn:
        conn.execute(
            f"CREATE DATABASE {name} ENCODING 'SQL_ASCII' TEMPLATE template0 "
            "LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    yield pg.url_for(name)
    pg.drop_database(name, force=True)


def test_the_built_in_runner_on_a_sql_ascii_database(tmp_path: Path, ascii_db: str) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "001_café.sql").write_text(CAFE)
    runner = Runner(SqlAdapter(), folder)
    context = ApplyContext(worktree="wt", branch="feat/é", commit="abc", path=tmp_path)
    assert runner.apply(ascii_db, context=context, sink=ListSink(), cancel=CancelToken()) == 1
    (status,) = runner.status(ascii_db)
    assert (status.state, status.name, status.applied_by) == (
        MigrationState.APPLIED,
        "café",
        "feat/é",
    )


def test_a_tools_table_on_a_sql_ascii_database(tmp_path: Path, ascii_db: str) -> None:
    """Prisma's table, as the engine creates and fills it, read through the adapter."""
    script = tmp_path / "prisma/migrations/20250101000000_init/migration.sql"
    script.parent.mkdir(parents=True)
    script.write_text("CREATE TABLE t (id int);\n")
    local = PrismaAdapter().local(script.parent.parent)[0]
    with psycopg.connect(with_database(ascii_db, ascii_db.rsplit("/", 1)[1])) as conn:
        conn.execute(
            'CREATE TABLE "_prisma_migrations" (id VARCHAR(36) PRIMARY KEY NOT NULL, '
            "checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ, migration_name VARCHAR(255) "
            "NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL "
            "DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0)"
        )
        conn.execute(
            "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, "
            "applied_steps_count) VALUES ('1', %s, now(), %s, 1)",
            (local.checksum, local.version),
        )
    (status,) = Runner(PrismaAdapter(), script.parent.parent).status(ascii_db)
    assert (status.version, status.state) == ("20250101000000_init", MigrationState.APPLIED)
