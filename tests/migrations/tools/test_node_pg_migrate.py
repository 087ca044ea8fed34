"""node-pg-migrate (MIGRATION-TOOLS.md §9) against a real database: `pgmigrations` created with
the tool's own DDL, read through a `Runner`; and the real CLI (npm-installed, see `npm_tools`)
driven through a `Runner` with the adapter's own default commands, agreeing with what wttui reads
from its table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.migrations.tools.conftest import (
    A,
    E,
    M,
    P,
    column,
    context_for,
    npm_tools,
    out_of_order,
    remember,
    states,
    status,
    write,
)
from tests.repo_factory import tables
from wttui.core.logsink import CancelToken, ListSink
from wttui.errors import MigrationFailed
from wttui.migrations.adapter import Connection
from wttui.migrations.runner import Runner
from wttui.migrations.tools.node_pg_migrate import NodePgMigrateAdapter

PGM_PACKAGES = ("node-pg-migrate@9.0.0", "pg@8")

PGMIGRATIONS_DDL = (
    'CREATE TABLE "public"."pgmigrations" (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, '
    "run_on timestamp NOT NULL)"
)
PGM_UP = "exports.up = (pgm) => { pgm.createTable('{0}', { id: 'id' }); };\n"


def test_node_pg_migrate_states_by_name_without_extension(
    tmp_path: Path, url: str, conn: Connection
) -> None:
    folder = write(
        tmp_path / "migrations",
        {
            "1700000000000_users.js": PGM_UP.replace("{0}", "users"),
            "1700000000001_merged.sql": "-- Up Migration\nCREATE TABLE merged (id int);\n",
            "1700000000003_pair.up.sql": "CREATE TABLE pair (id int);\n",
            "1700000000003_pair.down.sql": "DROP TABLE pair;\n",
            ".eslintrc.js": "module.exports = {};\n",
        },
    )
    conn.execute(PGMIGRATIONS_DDL)
    for name in ("1700000000000_users", "1700000000002_other"):
        conn.execute("INSERT INTO pgmigrations (name, run_on) VALUES (%s, NOW())", (name,))
    adapter = NodePgMigrateAdapter()
    found = status(adapter, folder, url)
    assert {v: s.state for v, s in found.items()} == {
        "1700000000000_users": A,
        "1700000000001_merged": P,
        "1700000000002_other": E,
        "1700000000003_pair.down": P,  # the CLI runs each .sql file as its own up migration
        "1700000000003_pair.up": P,
    }
    assert out_of_order(adapter, folder, url) == {"1700000000001_merged"}
    assert found["1700000000003_pair.up"].file == folder / "1700000000003_pair.up.sql"
    assert found["1700000000000_users"].name == "users"

    remember(Runner(adapter, folder), url)  # no checksum of its own: wttui's, at an apply
    (folder / "1700000000000_users.js").write_text(PGM_UP.replace("{0}", "people"))
    assert states(Runner(adapter, folder), url)["1700000000000_users"] is M


def test_node_pg_migrate_without_table_nothing_is_applied(tmp_path: Path, url: str) -> None:
    folder = write(tmp_path / "migrations", {"1700000000000_users.js": PGM_UP})
    assert states(Runner(NodePgMigrateAdapter(), folder), url) == {"1700000000000_users": P}
    assert tables(url) == set()


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"package.json": '{"devDependencies": {"node-pg-migrate": "^9"}}', "migrations/x": ""},
            True,
        ),
        ({"package.json": '{"dependencies": {"node-pg-migrate": "^9"}}', "migrations/x": ""}, True),
        ({"package.json": '{"devDependencies": {"node-pg-migrate": "^9"}}'}, False),
        ({"package.json": '{"dependencies": {"knex": "^3"}}', "migrations/x": ""}, False),
        ({"package.json": "{not json", "migrations/x": ""}, False),
        ({"package.json": "[]", "migrations/x": ""}, False),
    ],
)
def test_node_pg_migrate_detect(tmp_path: Path, files: dict[str, str], expected: bool) -> None:
    write(tmp_path, dict(files))
    assert NodePgMigrateAdapter().detect(tmp_path) is expected


# -- the real CLI ----------------------------------------------------------------------------

PGM_USERS = "1700000000000_users"
PGM_ORDERS = "1700000000003_orders"
PGM_MERGED = "1700000000002_merged"


def pgm_sql(table: str) -> str:
    """node-pg-migrate's single-file SQL format (its legacy SQL loader, the CLI's default)."""
    up = f"-- Up Migration\nCREATE TABLE {table} (id int);\n"
    return up + f"-- Down Migration\nDROP TABLE {table};\n"


def test_real_node_pg_migrate_agrees_with_status(tmp_path: Path, url: str) -> None:
    """`npx node-pg-migrate up` / `down`, the adapter's default commands, via Runner."""
    project = tmp_path / "project"
    write(
        project,
        {
            "package.json": json.dumps({"devDependencies": {"node-pg-migrate": "^9.0.0"}}),
            f"migrations/{PGM_USERS}.sql": pgm_sql("users"),
            f"migrations/{PGM_ORDERS}.js": "exports.up = (pgm) => { pgm.createTable('orders', "
            "{ id: 'id' }); };\nexports.down = (pgm) => { pgm.dropTable('orders'); };\n",
        },
    )
    (project / "node_modules").symlink_to(npm_tools(*PGM_PACKAGES))
    adapter = NodePgMigrateAdapter()
    assert adapter.detect(project)
    runner = Runner(adapter, project / adapter.default_dir)
    ctx = context_for(project, url, branch="feat/pgm", worktree=project.name)
    sink = ListSink()

    assert runner.apply(url, context=ctx, sink=sink, cancel=CancelToken()) == 2, sink.text
    found = status(adapter, runner.folder, url)
    assert [(v, s.state, s.applied_by) for v, s in found.items()] == [
        (PGM_USERS, A, "feat/pgm"),
        (PGM_ORDERS, A, "feat/pgm"),
    ]
    assert column(url, "SELECT name FROM pgmigrations ORDER BY run_on, id") == list(found)
    assert {"users", "orders", "pgmigrations"} <= tables(url)
    assert found[PGM_ORDERS].has_down

    sink = ListSink()
    assert runner.rollback(url, steps=1, context=ctx, sink=sink, cancel=CancelToken()) == 1, (
        sink.text
    )
    assert states(Runner(adapter, runner.folder), url) == {PGM_USERS: A, PGM_ORDERS: P}
    assert column(url, "SELECT name FROM pgmigrations") == [PGM_USERS]
    assert "orders" not in tables(url)

    # merged in from another branch after ORDERS was applied: older than the newest applied
    assert runner.apply(url, context=ctx, sink=ListSink(), cancel=CancelToken()) == 1
    write(project, {f"migrations/{PGM_MERGED}.sql": pgm_sql("merged")})
    found = status(adapter, runner.folder, url)
    assert {v: s.state for v, s in found.items()} == {PGM_USERS: A, PGM_MERGED: P, PGM_ORDERS: A}
    assert [v for v, s in found.items() if s.out_of_order] == [PGM_MERGED]
    assert found[PGM_MERGED].note == adapter.out_of_order
    assert "checkOrder" in adapter.out_of_order

    sink = ListSink()
    with pytest.raises(MigrationFailed):
        runner.apply(url, context=ctx, sink=sink, cancel=CancelToken())
    assert f"Not run migration {PGM_MERGED} is preceding already run migration" in sink.text
    assert states(Runner(adapter, runner.folder), url)[PGM_MERGED] is P
    assert "merged" not in tables(url)

    # checkOrder runs before either direction: `down` refuses too while the file is there
    sink = ListSink()
    with pytest.raises(MigrationFailed):
        runner.rollback(url, steps=1, context=ctx, sink=sink, cancel=CancelToken())
    assert f"Not run migration {PGM_MERGED} is preceding already run migration" in sink.text
    assert states(Runner(adapter, runner.folder), url)[PGM_ORDERS] is A
