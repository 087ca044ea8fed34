"""`resolve` for every tool that installs here, through the real tool: after wttui marks a
migration applied, the tool's own apply skips it (nothing of it runs); after it marks one rolled
back, the tool's own apply runs it again. The tools without a command get their rows written as
they write them — which the real tool then reads as its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_component
from tests.migrations.tools import test_sqitch
from tests.migrations.tools.conftest import (
    A,
    P,
    context_for,
    dbmate_binary,
    npm_tools,
    require_python_tool,
    states,
    venv_bin_on_path,
    write,
)
from tests.migrations.tools.test_alembic import ALEMBIC_ENV, alembic_current, revision_script
from tests.migrations.tools.test_knex import KNEX_PACKAGES, KNEX_UP, KNEXFILE
from tests.migrations.tools.test_node_pg_migrate import PGM_PACKAGES, pgm_sql
from tests.migrations.tools.test_sqitch import project as sqitch_project
from tests.migrations.tools.test_sqitch import registry
from tests.repo_factory import run_sql, tables
from wttui.core.logsink import CancelToken, ListSink
from wttui.errors import Refused
from wttui.migrations.adapter import Adapter
from wttui.migrations.runner import Runner
from wttui.migrations.tools.alembic import AlembicAdapter, versions_dir
from wttui.migrations.tools.dbmate import DbmateAdapter
from wttui.migrations.tools.goose import GooseAdapter
from wttui.migrations.tools.knex import KnexAdapter
from wttui.migrations.tools.node_pg_migrate import NodePgMigrateAdapter
from wttui.migrations.tools.sqitch import SqitchAdapter

sqitch_env = test_sqitch.sqitch_env
"""The real sqitch with a committer identity and no machine config (a fixture)."""

KNEX_DOWN = "exports.down = async () => {};\n"


def resolve(
    runner: Runner, url: str, ref: str, *, applied: bool, root: Path | None = None
) -> ListSink:
    sink = ListSink()
    runner.resolve(
        url,
        ref,
        applied=applied,
        context=context_for(root or runner.folder.parent, url),
        sink=sink,
        cancel=CancelToken(),
    )
    return sink


def apply(runner: Runner, url: str, root: Path) -> int:
    context = context_for(root, url)
    return runner.apply(url, context=context, sink=ListSink(), cancel=CancelToken())


def dbmate_file(table: str) -> str:
    return f"-- migrate:up\nCREATE TABLE {table} (id int);\n-- migrate:down\nDROP TABLE {table};\n"


def test_dbmate_marked_applied_is_skipped_by_dbmate(tmp_path: Path, url: str) -> None:
    binary = dbmate_binary()
    root = write(
        tmp_path / "wt",
        {
            "db/migrations/001_users.sql": dbmate_file("users"),
            "db/migrations/002_orders.sql": dbmate_file("orders"),
        },
    )
    runner = Runner(
        DbmateAdapter(),
        root / "db/migrations",
        apply=(
            binary,
            "--no-dump-schema",
            "--migrations-dir",
            str(root / "db/migrations"),
            "migrate",
        ),
    )
    # No table yet: wttui creates dbmate's, as dbmate would, and inserts the row.
    sink = resolve(runner, url, "001", applied=True)
    assert "dbmate will count 001_users as applied" in sink.text
    assert states(runner, url) == {"001": A, "002": P}
    assert apply(runner, url, root) == 1  # only 002 ran
    assert tables(url) == {"orders", "schema_migrations"}  # 001's table was never made

    resolve(runner, url, "002_orders", applied=False)
    assert states(runner, url) == {"001": A, "002": P}
    run_sql(url, "DROP TABLE orders")
    assert apply(runner, url, root) == 1  # dbmate runs it again
    assert "orders" in tables(url)


def test_knex_marked_applied_is_skipped_by_knex(tmp_path: Path, url: str) -> None:
    project = write(
        tmp_path / "project",
        {
            "knexfile.js": KNEXFILE,
            "migrations/20240101000000_users.js": KNEX_UP.format("users") + KNEX_DOWN,
            "migrations/20240102000000_orders.js": KNEX_UP.format("orders") + KNEX_DOWN,
        },
    )
    (project / "node_modules").symlink_to(npm_tools(*KNEX_PACKAGES))
    runner = Runner(KnexAdapter(), project / "migrations")
    with pytest.raises(Refused, match="knex_migrations does not exist"):
        resolve(runner, url, "20240102000000_orders.js", applied=True)
    run = subprocess.run(
        ["npx", "knex", "migrate:up"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    resolve(runner, url, "20240102000000_orders.js", applied=True)
    listed = subprocess.run(
        ["npx", "knex", "migrate:list"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
        timeout=120,
    )
    assert "No Pending Migration files Found" in listed.stdout, listed.stdout
    assert "orders" not in tables(url)


def test_node_pg_migrate_marked_applied_is_skipped_by_it(tmp_path: Path, url: str) -> None:
    project = write(
        tmp_path / "project",
        {
            "package.json": json.dumps({"devDependencies": {"node-pg-migrate": "^9.0.0"}}),
            "migrations/1700000000000_users.sql": pgm_sql("users"),
            "migrations/1700000000001_orders.sql": pgm_sql("orders"),
        },
    )
    (project / "node_modules").symlink_to(npm_tools(*PGM_PACKAGES))
    runner = Runner(NodePgMigrateAdapter(), project / "migrations")
    assert apply(runner, url, project) == 2
    resolve(runner, url, "1700000000001_orders", applied=False)
    assert states(runner, url) == {"1700000000000_users": A, "1700000000001_orders": P}
    resolve(runner, url, "1700000000001_orders", applied=True)
    assert apply(runner, url, project) == 0  # `up` found nothing to run
    assert states(runner, url) == {"1700000000000_users": A, "1700000000001_orders": A}


def test_alembic_stamp(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    require_python_tool("alembic", "alembic")
    require_python_tool("sqlalchemy", "sqlalchemy")
    if shutil.which("alembic", path=str(Path(sys.executable).parent)) is None:
        require_component("alembic", "its console script is not beside this interpreter")
    venv_bin_on_path(monkeypatch)
    root = write(
        tmp_path / "wt",
        {
            "alembic.ini": "[alembic]\nscript_location = %(here)s/alembic\n",
            "alembic/env.py": ALEMBIC_ENV,
            "alembic/versions/1a2b_users.py": revision_script("1a2b", None, table="users"),
            "alembic/versions/ffee_orders.py": revision_script("ffee", "1a2b", table="orders"),
        },
    )
    monkeypatch.setenv("DATABASE_URL", url)
    runner = Runner(AlembicAdapter(), root / versions_dir(root))
    sink = resolve(runner, url, "1a2b", applied=True, root=root)
    assert "alembic will count 1a2b as applied" in sink.text
    assert alembic_current(root, url) == {"1a2b"}
    assert apply(runner, url, root) == 1  # only ffee ran
    assert "users" not in tables(url)
    with pytest.raises(Refused, match="1a2b is not the newest revision"):
        resolve(runner, url, "1a2b", applied=False, root=root)
    resolve(runner, url, "ffee", applied=False, root=root)
    assert alembic_current(root, url) == {"1a2b"}
    assert states(runner, url) == {"1a2b": A, "ffee": P}


@pytest.mark.usefixtures("sqitch_env")
def test_sqitch_log_only(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    root = sqitch_project(tmp_path / "wt")
    monkeypatch.setenv("DATABASE_URL", url)
    runner = Runner(SqitchAdapter(), root)
    sink = resolve(runner, url, "users", applied=True, root=root)
    assert "sqitch will log users as deployed" in sink.text
    assert set(registry(url)) == {"users"}
    assert apply(runner, url, root) == 1  # only posts ran
    assert "users" not in tables(url)
    with pytest.raises(Refused, match="reverts in plan order"):
        resolve(runner, url, "users", applied=False, root=root)
    resolve(runner, url, "posts", applied=False, root=root)
    assert set(registry(url)) == {"users"}
    assert "posts" in tables(url)  # its revert script did not run


def test_goose_rows_as_goose_writes_them(tmp_path: Path, url: str) -> None:
    """goose does not install here: its table with goose's own DDL and version-0 row."""
    run_sql(
        url,
        "CREATE TABLE goose_db_version (id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "
        "version_id bigint NOT NULL, is_applied boolean NOT NULL, "
        "tstamp timestamp NOT NULL DEFAULT now())",
        "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true)",
    )
    folder = write(
        tmp_path / "migrations",
        {"00001_a.sql": "-- +goose Up\nSELECT 1;\n", "00002_b.sql": "-- +goose Up\nSELECT 1;\n"},
    )
    runner = Runner(GooseAdapter(), folder)
    resolve(runner, url, "2", applied=True)
    assert states(runner, url) == {"1": P, "2": A}
    resolve(runner, url, "00002_b", applied=False)
    assert states(runner, url) == {"1": P, "2": P}


@pytest.mark.parametrize("adapter", [KnexAdapter(), NodePgMigrateAdapter(), GooseAdapter()])
def test_no_table_no_rows(tmp_path: Path, url: str, adapter: Adapter) -> None:
    folder = write(tmp_path / "migrations", {"00001_a.js": "", "00001_a.sql": "-- +goose Up\n"})
    runner = Runner(adapter, folder)
    version = adapter.local(folder)[0].version
    with pytest.raises(Refused, match="does not exist in this database"):
        runner.resolution(url, version, applied=True, context=context_for(tmp_path, url))
    assert tables(url) == set()
