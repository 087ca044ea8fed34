"""Drizzle Kit (MIGRATION-TOOLS.md §12) against a real database: `drizzle.__drizzle_migrations`
created with drizzle's own DDL, read through a `Runner`; and the real `drizzle-kit migrate`
(npm-installed, see `npm_tools`) driven through a `Runner` with the adapter's default command,
agreeing with what wttui reads from its table."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
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
    states,
    status,
    write,
)
from tests.repo_factory import tables
from wttui.core.logsink import CancelToken, ListSink
from wttui.errors import MigrationFailed
from wttui.migrations.adapter import Connection
from wttui.migrations.runner import Runner
from wttui.migrations.tools.drizzle import DrizzleAdapter, drizzle_hash

DRIZZLE_PACKAGES = ("drizzle-kit@0.31.11", "drizzle-orm@0.45.4", "pg@8")

DRIZZLE_DDL = """
CREATE SCHEMA IF NOT EXISTS "drizzle";
CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (
    id SERIAL PRIMARY KEY,
    hash text NOT NULL,
    created_at bigint
);
"""


def journal(folder: Path, entries: list[tuple[int, str]]) -> None:
    body = {
        "version": "7",
        "dialect": "postgresql",
        "entries": [
            {"idx": i, "version": "7", "when": when, "tag": tag, "breakpoints": True}
            for i, (when, tag) in enumerate(entries)
        ],
    }
    write(folder, {"meta/_journal.json": json.dumps(body)})


def drizzle_row(conn: Connection, when: int, digest: str) -> None:
    conn.execute(
        'insert into "drizzle"."__drizzle_migrations" ("hash", "created_at") values (%s, %s)',
        (digest, when),
    )


def test_drizzle_states_from_journal(tmp_path: Path, url: str, conn: Connection) -> None:
    folder = write(
        tmp_path / "drizzle",
        {
            "0000_users.sql": "CREATE TABLE users (id int);\n",
            "0001_orders.sql": "CREATE TABLE orders (id int);\n",
            "0002_merged.sql": "CREATE TABLE merged (id int);\n",
            "0003_next.sql": "CREATE TABLE next (id int);\n",
        },
    )
    # 0002 was generated on another branch before 0001 but merged in after 0001 was applied
    journal(
        folder,
        [
            (1700000000000, "0000_users"),
            (1700000002000, "0001_orders"),
            (1700000001000, "0002_merged"),
            (1700000009000, "0003_next"),
            (1700000010000, "0004_file_missing"),
        ],
    )
    conn.execute(DRIZZLE_DDL)
    drizzle_row(conn, 1700000000000, drizzle_hash(folder / "0000_users.sql"))
    drizzle_row(conn, 1700000002000, drizzle_hash(folder / "0001_orders.sql"))
    drizzle_row(conn, 1700000005000, "ab" * 32)  # from another branch
    adapter = DrizzleAdapter()
    found = status(adapter, folder, url)
    assert {v: s.state for v, s in found.items()} == {
        "1700000000000": A,
        "1700000001000": P,
        "1700000002000": A,
        "1700000005000": E,
        "1700000009000": P,
    }
    # drizzle 0.x would silently never apply it: the newest row is newer
    assert out_of_order(adapter, folder, url) == {"1700000001000"}
    assert found["1700000000000"].name == "0000_users"
    assert not found["1700000000000"].has_down

    # the hash drizzle stored (and never checks) shows the edit directly
    (folder / "0001_orders.sql").write_text("CREATE TABLE orders (id bigint);\n")
    assert states(Runner(adapter, folder), url)["1700000002000"] is M


def test_drizzle_1x_folders_and_columns(tmp_path: Path, url: str, conn: Connection) -> None:
    folder = write(
        tmp_path / "drizzle",
        {
            "20240101120000_init/migration.sql": "CREATE TABLE a (id int);\n",
            "20240102000000_more/migration.sql": "CREATE TABLE b (id int);\n",
            "20240102000000_more/snapshot.json": "{}",
        },
    )
    conn.execute(DRIZZLE_DDL)
    conn.execute(
        'ALTER TABLE "drizzle"."__drizzle_migrations" ADD COLUMN name text, '
        "ADD COLUMN applied_at timestamptz DEFAULT now()"
    )
    conn.execute(
        'insert into "drizzle"."__drizzle_migrations" ("hash", "created_at", "name") '
        "values (%s, %s, %s)",
        (drizzle_hash(folder / "20240101120000_init" / "migration.sql"), 1704110400000, "x"),
    )
    found = status(DrizzleAdapter(), folder, url)
    assert {v: s.state for v, s in found.items()} == {"1704110400000": A, "1704153600000": P}
    assert found["1704110400000"].applied_at is not None


def test_drizzle_without_schema_nothing_is_applied(tmp_path: Path, url: str) -> None:
    folder = write(tmp_path / "drizzle", {"0000_a.sql": "SELECT 1;\n"})
    journal(folder, [(1700000000000, "0000_a")])
    assert states(Runner(DrizzleAdapter(), folder), url) == {"1700000000000": P}
    assert tables(url) == set()


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ("drizzle.config.ts", True),
        ("drizzle.config.js", True),
        ("drizzle.config.json", True),
        ("drizzle/meta/_journal.json", True),
        ("drizzle/0000_init.sql", False),
    ],
)
def test_drizzle_detect(tmp_path: Path, marker: str, expected: bool) -> None:
    write(tmp_path, {marker: ""})
    assert DrizzleAdapter().detect(tmp_path) is expected


# -- the real CLI ----------------------------------------------------------------------------

DRIZZLE_CONFIG = """import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  out: "./drizzle",
  dbCredentials: { url: process.env.DATABASE_URL! },
});
"""


def drizzle_sql(table: str) -> str:
    """What `drizzle-kit generate` writes: statements split by `--> statement-breakpoint`."""
    return (
        f'CREATE TABLE "{table}" (\n\t"id" serial PRIMARY KEY NOT NULL,\n\t"name" text\n);\n'
        "--> statement-breakpoint\n"
        f'CREATE INDEX "{table}_name_idx" ON "{table}" USING btree ("name");'
    )


def drizzle_journal(entries: list[tuple[int, str]]) -> str:
    return json.dumps(
        {
            "version": "7",
            "dialect": "postgresql",
            "entries": [
                {"idx": i, "version": "7", "when": when, "tag": tag, "breakpoints": True}
                for i, (when, tag) in enumerate(entries)
            ],
        },
        indent=2,
    )


def test_real_drizzle_kit_agrees_with_status(tmp_path: Path, url: str) -> None:
    """`npx drizzle-kit migrate`, the adapter's default command, via Runner."""
    project = tmp_path / "project"
    entries = [(1700000000000, "0000_users"), (1700000002000, "0001_orders")]
    write(
        project,
        {
            "drizzle.config.ts": DRIZZLE_CONFIG,
            "drizzle/0000_users.sql": drizzle_sql("users"),
            "drizzle/0001_orders.sql": drizzle_sql("orders"),
            "drizzle/meta/_journal.json": drizzle_journal(entries),
        },
    )
    (project / "node_modules").symlink_to(npm_tools(*DRIZZLE_PACKAGES))
    adapter = DrizzleAdapter()
    assert adapter.detect(project)
    runner = Runner(adapter, project / adapter.default_dir)
    ctx = context_for(project, url, branch="feat/drizzle", worktree=project.name)
    sink = ListSink()

    assert runner.apply(url, context=ctx, sink=sink, cancel=CancelToken()) == 2, sink.text
    found = status(adapter, runner.folder, url)
    assert [(v, s.state, s.applied_by) for v, s in found.items()] == [
        ("1700000000000", A, "feat/drizzle"),
        ("1700000002000", A, "feat/drizzle"),
    ]
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            'SELECT created_at, hash FROM drizzle."__drizzle_migrations" ORDER BY id'
        ).fetchall()
    assert rows == [(when, drizzle_hash(runner.folder / f"{tag}.sql")) for when, tag in entries]
    assert {"users", "orders"} <= tables(url)
    assert not found["1700000000000"].has_down

    # merged in from another branch: generated before 0001 (older `when`), listed after it
    entries.append((1700000001000, "0002_merged"))
    write(
        project,
        {
            "drizzle/0002_merged.sql": drizzle_sql("merged"),
            "drizzle/meta/_journal.json": drizzle_journal(entries),
        },
    )
    found = status(adapter, runner.folder, url)
    assert {v: s.state for v, s in found.items()} == {
        "1700000000000": A,
        "1700000001000": P,
        "1700000002000": A,
    }
    assert [v for v, s in found.items() if s.out_of_order] == ["1700000001000"]
    assert found["1700000001000"].note == adapter.out_of_order
    assert "silently never applies" in adapter.out_of_order

    # drizzle-kit exits 0 having skipped it: the apply re-reads the state and says so
    sink = ListSink()
    with pytest.raises(MigrationFailed) as failed:
        runner.apply(url, context=ctx, sink=sink, cancel=CancelToken())
    assert failed.value.message.startswith(
        "1 migration still to apply after the migrate (0 applied): 0002_merged (older than the "
        "newest applied one: drizzle-kit 0.x silently never applies it"
    )
    assert failed.value.hint == adapter.out_of_order_fix
    assert states(Runner(adapter, runner.folder), url)["1700000001000"] is P
    assert "merged" not in tables(url)
    assert column(url, 'SELECT created_at FROM drizzle."__drizzle_migrations"') == [
        1700000000000,
        1700000002000,
    ]
