"""Seed 2's rule 3, "never delete migrations from `_prisma_migrations` manually", checked for
every tool (issue 14, item 6): wttui remembers what it saw applied, so a tracking row deleted by
hand is reported — "was applied (by epic3, …) and its row is gone from …: the tool will apply
it again" — by a status read (the Migrations pane), `status --json` and the function `doctor`
calls, once per database."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import wttui
from tests.conftest import require_component
from tests.migrations.test_monorepo import PRISMA_DDL
from tests.migrations.tools.conftest import (
    context_for,
    dbmate_binary,
    require_python_tool,
    venv_bin_on_path,
    write,
)
from tests.migrations.tools.test_alembic import ALEMBIC_ENV, revision_script
from tests.migrations.tools.test_dbmate import dbmate_sql
from tests.repo_factory import git, run_sql
from wttui.core.logsink import CancelToken, ListSink
from wttui.migrations.adapter import Adapter
from wttui.migrations.runner import Runner
from wttui.migrations.tools.alembic import AlembicAdapter
from wttui.migrations.tools.dbmate import DbmateAdapter
from wttui.migrations.tools.prisma import PrismaAdapter
from wttui.migrations.tools.sql import SqlAdapter
from wttui.services import Services
from wttui.snapshot import read_snapshot
from wttui.snapshot_reports import migration_warnings

PRISMA_DEPLOY = '''\
"""A stand-in for `prisma migrate deploy` (its engines download from outside the registries):
runs each unapplied folder's migration.sql and writes Prisma's row for it, checksum included."""
import hashlib, os, pathlib, sys, uuid
import psycopg

folder = pathlib.Path(sys.argv[1])
with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
    done = {r[0] for r in conn.execute("SELECT migration_name FROM _prisma_migrations")}
    for path in sorted(p for p in folder.iterdir() if p.is_dir()):
        if path.name in done:
            continue
        text = (path / "migration.sql").read_bytes()
        conn.execute(text.decode())
        conn.execute(
            "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, "
            "applied_steps_count) VALUES (%s, %s, now(), %s, 1)",
            (str(uuid.uuid4()), hashlib.sha256(text).hexdigest(), path.name),
        )
'''


def sql_project(root: Path, url: str) -> tuple[Runner, str, str]:
    del url
    write(
        root / "migrations",
        {
            "001_users.sql": "CREATE TABLE users (id int);\n",
            "002_orders.sql": "CREATE TABLE orders (id int);\n",
        },
    )
    runner = Runner(SqlAdapter(), root / "migrations")
    return runner, "DELETE FROM wttui_schema_migrations WHERE version = '002'", "002"


def dbmate_project(root: Path, url: str) -> tuple[Runner, str, str]:
    del url
    binary = dbmate_binary()
    write(
        root / "db/migrations",
        {
            "20250101100000_users.sql": dbmate_sql("users"),
            "20250102100000_orders.sql": dbmate_sql("orders"),
        },
    )
    os.environ["PATH"] = f"{Path(binary).parent}{os.pathsep}{os.environ['PATH']}"
    runner = Runner(DbmateAdapter(), root / "db/migrations")
    return (
        runner,
        "DELETE FROM schema_migrations WHERE version = '20250102100000'",
        "20250102100000",
    )


def alembic_project(root: Path, url: str) -> tuple[Runner, str, str]:
    del url
    require_python_tool("alembic", "alembic")
    require_python_tool("sqlalchemy", "sqlalchemy")
    if shutil.which("alembic", path=str(Path(sys.executable).parent)) is None:
        require_component("alembic", "its console script is not beside this interpreter")
    write(
        root,
        {
            "alembic.ini": "[alembic]\nscript_location = %(here)s/alembic\n",
            "alembic/env.py": ALEMBIC_ENV,
            "alembic/versions/1a2b_users.py": revision_script("1a2b", None, table="users"),
            "alembic/versions/ffee_orders.py": revision_script("ffee", "1a2b", table="orders"),
        },
    )
    # Someone "fixed" the head by hand: ffee's changes stay, alembic thinks it never ran.
    return (
        Runner(AlembicAdapter(), root / "alembic/versions"),
        "UPDATE alembic_version SET version_num = '1a2b'",
        "ffee",
    )


def prisma_project(root: Path, url: str) -> tuple[Runner, str, str]:
    run_sql(url, PRISMA_DDL)
    folder = write(
        root / "prisma/migrations",
        {
            "20251016000000_create_vector_indexes/migration.sql": "CREATE TABLE v (id int);\n",
            "20251016164000_add_search_analytics/migration.sql": "CREATE TABLE s (id int);\n",
        },
    )
    write(root, {"deploy.py": PRISMA_DEPLOY})
    apply = (sys.executable, str(root / "deploy.py"), str(folder))
    delete = (
        "DELETE FROM _prisma_migrations "
        "WHERE migration_name = '20251016164000_add_search_analytics'"
    )
    return (
        Runner(PrismaAdapter(), folder, apply=apply),
        delete,
        "20251016164000_add_search_analytics",
    )


PROJECTS = {
    "sql": (sql_project, "wttui_schema_migrations", "002_orders"),
    "dbmate": (dbmate_project, "schema_migrations", "20250102100000_orders"),
    "alembic": (alembic_project, "alembic_version", "ffee_orders"),
    "prisma": (prisma_project, "_prisma_migrations", "20251016164000_add_search_analytics"),
}


@pytest.mark.parametrize("tool", sorted(PROJECTS))
def test_a_tracking_row_deleted_by_hand_is_reported(
    tool: str, tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    venv_bin_on_path(monkeypatch)
    monkeypatch.setenv("PATH", os.environ["PATH"])  # restored after dbmate's PATH change
    make, table, label = PROJECTS[tool]
    runner, delete, version = make(tmp_path / "wt", url)
    context = context_for(tmp_path / "wt", url, branch="epic3")
    assert runner.apply(url, context=context, sink=ListSink(), cancel=CancelToken()) == 2
    assert runner.read(url).warnings == ()

    run_sql(url, delete)
    [warning] = runner.read(url).warnings
    adapter: Adapter = runner.adapter
    assert (warning.kind, warning.version) == ("row_gone", version)
    assert re.fullmatch(
        rf"`{re.escape(label)}` was applied \(by epic3, [\w ]+ ago\) and its row is gone "
        rf"from `{table}`: {adapter.name} will apply it again",
        warning.message,
    ), warning.message
    assert "record it as applied" in warning.hint
    assert {s.version: s.state.value for s in runner.status(url)}[version] == "pending"


def test_status_json_and_doctor_report_it_once_per_database(repo: Path) -> None:
    """Two worktrees sharing the database: `status --json` warns in both, the function
    `doctor` calls names it once."""
    config = repo / ".wttui.toml"
    config.write_text(config.read_text().replace("[database]", '[database]\nstrategy = "shared"'))
    git(repo, "commit", "-qam", "shared database")
    created = wttui(repo, "create", "epic3")
    assert created.returncode == 0, created.stderr
    services = Services.from_path(repo)
    target = services.context_of("epic3").target
    run_sql(target.url, "DELETE FROM wttui_schema_migrations WHERE version = '002'")

    done = wttui(repo, "status", "--json")
    assert done.returncode == 0, done.stderr
    rows = {row["branch"]: row["migrations"] for row in json.loads(done.stdout)}
    for branch in ("main", "epic3"):
        [warning] = rows[branch]["warnings"]
        assert warning["kind"] == "row_gone"
        assert warning["version"] == "002"
        assert warning["message"].startswith("`002_create_orders` was applied (by epic3, ")
        assert warning["message"].endswith(
            "and its row is gone from `wttui_schema_migrations`: sql will apply it again"
        )
        assert rows[branch]["pending"] == 1
    found = migration_warnings(read_snapshot(services))
    assert [(view.worktree.label, w.version) for view, w in found] == [("main", "002")]

    table = wttui(repo, "status")
    assert "⚠ epic3: `002_create_orders` was applied (by epic3" in table.stdout


def test_the_side_table_remembers_migrations_applied_outside_wttui(
    tmp_path: Path, url: str
) -> None:
    """Applied by the tool itself, then seen applied at the next apply through wttui: a row
    deleted after that is reported too (owner unknown)."""
    runner, _, _ = prisma_project(tmp_path / "wt", url)
    outside = Runner(runner.adapter, runner.folder, apply=runner.executor.apply_command)  # type: ignore[attr-defined]
    folder = runner.folder
    first = folder / "20251016000000_create_vector_indexes" / "migration.sql"
    checksum = hashlib.sha256(first.read_bytes()).hexdigest()
    run_sql(
        url,
        (
            "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name) "
            "VALUES ('x', %s, now(), '20251016000000_create_vector_indexes')",
            (checksum,),
        ),
        "CREATE TABLE v (id int)",
    )
    context = context_for(tmp_path / "wt", url, branch="epic5")
    assert outside.apply(url, context=context, sink=ListSink(), cancel=CancelToken()) == 1
    run_sql(url, "DELETE FROM _prisma_migrations WHERE id = 'x'")
    [warning] = runner.read(url).warnings
    assert warning.version == "20251016000000_create_vector_indexes"
    assert re.match(
        r"`20251016000000_create_vector_indexes` was applied \(seen [\w ]+ ago\)", warning.message
    )
