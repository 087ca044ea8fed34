"""Knex (MIGRATION-TOOLS.md §8) against a real database: `knex_migrations` created with the DDL
knex 3.3 itself prints and filled the way knex fills it, read through a `Runner`; and the real
knex CLI (npm-installed, see `npm_tools`) applying and rolling back through a `Runner`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.migrations.tools.conftest import (
    A,
    E,
    F,
    M,
    P,
    npm_tools,
    out_of_order,
    remember,
    states,
    status,
    write,
)
from tests.repo_factory import tables
from wttui.core.logsink import CancelToken, ListSink
from wttui.migrations.adapter import ApplyContext, Connection
from wttui.migrations.runner import Runner
from wttui.migrations.tools.knex import KnexAdapter

KNEX_DDL = """
create table "knex_migrations" ("id" serial primary key, "name" varchar(255), "batch" integer,
    "migration_time" timestamptz);
create table "knex_migrations_lock" ("index" serial primary key, "is_locked" integer);
insert into "knex_migrations_lock" ("is_locked") values (0);
"""
KNEX_UP = "exports.up = (knex) => knex.schema.createTable('{0}', (t) => t.increments());\n"


def knex_rows(conn: Connection, *names: str, batch: int = 1) -> None:
    conn.execute(KNEX_DDL)
    for name in names:
        conn.execute(
            "insert into knex_migrations (name, batch, migration_time) values (%s, %s, now())",
            (name, batch),
        )


def test_knex_states_by_file_name_with_extension(
    tmp_path: Path, url: str, conn: Connection
) -> None:
    folder = write(
        tmp_path / "migrations",
        {
            "20240101000000_users.js": KNEX_UP.format("users"),
            "20240102000000_orders.ts": KNEX_UP.format("orders"),  # renamed from .js
            "20240101120000_merged.js": KNEX_UP.format("merged"),
            "20240104000000_next.cjs": KNEX_UP.format("next"),
            "README.md": "not a migration",
        },
    )
    knex_rows(
        conn, "20240101000000_users.js", "20240102000000_orders.js", "20240103000000_other.js"
    )
    adapter = KnexAdapter()
    found = status(adapter, folder, url)
    assert {v: s.state for v, s in found.items()} == {
        "20240101000000_users.js": A,
        "20240101120000_merged.js": P,
        "20240102000000_orders.js": E,
        "20240102000000_orders.ts": P,
        "20240103000000_other.js": E,
        "20240104000000_next.cjs": P,
    }
    assert out_of_order(adapter, folder, url) == {
        "20240101120000_merged.js",
        "20240102000000_orders.ts",
    }
    assert found["20240101000000_users.js"].name == "users"
    assert found["20240101000000_users.js"].has_down

    # knex keeps no checksum: wttui records one at its next apply, so an edit then shows
    remember(Runner(adapter, folder), url)
    (folder / "20240101000000_users.js").write_text(KNEX_UP.format("people"))
    assert states(Runner(adapter, folder), url)["20240101000000_users.js"] is M


def test_knex_lock_left_behind_is_reported(tmp_path: Path, url: str, conn: Connection) -> None:
    folder = write(tmp_path / "migrations", {"20240101000000_users.js": KNEX_UP.format("users")})
    knex_rows(conn, "20240101000000_users.js")
    assert "knex_migrations_lock" not in states(Runner(KnexAdapter(), folder), url)

    conn.execute("update knex_migrations_lock set is_locked = 1")
    found = status(KnexAdapter(), folder, url)
    assert found["20240101000000_users.js"].state is A  # the migration itself is fine
    lock = found["knex_migrations_lock"]
    assert lock.state is F
    assert lock.error is not None
    assert "knex migrate:unlock" in lock.error
    assert not lock.out_of_order


def test_knex_without_table_nothing_is_applied(tmp_path: Path, url: str) -> None:
    folder = write(tmp_path / "migrations", {"20240101000000_users.js": KNEX_UP})
    assert states(Runner(KnexAdapter(), folder), url) == {"20240101000000_users.js": P}
    assert tables(url) == set()


KNEXFILE = "module.exports = { client: 'pg', connection: process.env.DATABASE_URL };\n"
KNEX_PACKAGES = ("knex@3.3.0", "pg@8")


def test_real_knex_cli_agrees_with_status(tmp_path: Path, url: str) -> None:
    """`npx knex migrate:latest` / `migrate:down` — the adapter's own default commands — run
    by Runner in a project whose knexfile reads DATABASE_URL."""
    project = tmp_path / "project"
    write(
        project,
        {
            "knexfile.js": KNEXFILE,
            "migrations/20240101000000_users.js": KNEX_UP.format("users")
            + "exports.down = (knex) => knex.schema.dropTable('users');\n",
            "migrations/20240102000000_orders.js": KNEX_UP.format("orders")
            + "exports.down = (knex) => knex.schema.dropTable('orders');\n",
        },
    )
    (project / "node_modules").symlink_to(npm_tools(*KNEX_PACKAGES))
    adapter = KnexAdapter()
    assert adapter.detect(project)
    runner = Runner(adapter, project / adapter.default_dir)
    context = ApplyContext(
        worktree="project",
        branch="feat/knex",
        commit="abc1234",
        path=project,
        env={"DATABASE_URL": url},
    )
    assert runner.apply(url, context=context, sink=ListSink(), cancel=CancelToken()) == 2
    found = status(adapter, runner.folder, url)
    assert [(s.state, s.applied_by) for s in found.values()] == [(A, "feat/knex")] * 2
    assert {"users", "orders", "knex_migrations", "knex_migrations_lock"} <= tables(url)

    assert (
        runner.rollback(url, steps=1, context=context, sink=ListSink(), cancel=CancelToken()) == 1
    )
    assert states(Runner(adapter, runner.folder), url) == {
        "20240101000000_users.js": A,
        "20240102000000_orders.js": P,
    }
    assert "orders" not in tables(url)


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ("knexfile.js", True),
        ("knexfile.ts", True),
        ("knexfile.cjs", True),
        ("knexfile.mjs", True),
        ("migrations/20240101000000_users.js", False),
    ],
)
def test_knex_detect(tmp_path: Path, marker: str, expected: bool) -> None:
    write(tmp_path, {marker: ""})
    assert KnexAdapter().detect(tmp_path) is expected
