"""Flyway, Knex, node-pg-migrate and Drizzle adapters against a real database.

Each test creates the tool's state table with the tool's own DDL (MIGRATION-TOOLS.md §6, §8, §9,
§12; Knex's printed by knex 3.3 itself) and inserts rows the way the tool writes them, then reads
`ToolRunner.status`: what is applied, pending, applied elsewhere, modified, failed, out of order.
One test runs the real knex CLI (npm-installed, see `knex_install`) through `ToolRunner`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import require_component
from tests.repo_factory import tables
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState, MigrationStatus
from wttui.migrations.adapter import Adapter, Connection
from wttui.migrations.base import ApplyContext
from wttui.migrations.runner import ToolRunner
from wttui.migrations.tools.drizzle import DrizzleAdapter, drizzle_hash
from wttui.migrations.tools.flyway import FlywayAdapter, flyway_checksum
from wttui.migrations.tools.knex import KnexAdapter
from wttui.migrations.tools.node_pg_migrate import NodePgMigrateAdapter

A = MigrationState.APPLIED
P = MigrationState.PENDING
E = MigrationState.APPLIED_ELSEWHERE
M = MigrationState.MODIFIED
F = MigrationState.FAILED
R = MigrationState.ROLLED_BACK


@pytest.fixture
def conn(url: str) -> Iterator[Connection]:
    with psycopg.connect(url, autocommit=True) as connection:
        yield connection


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    return folder


def status(adapter: Adapter, folder: Path, url: str) -> dict[str, MigrationStatus]:
    return {s.version: s for s in ToolRunner(adapter, folder).status(url)}


def states(adapter: Adapter, folder: Path, url: str) -> dict[str, MigrationState]:
    return {v: s.state for v, s in status(adapter, folder, url).items()}


def out_of_order(adapter: Adapter, folder: Path, url: str) -> set[str]:
    return {v for v, s in status(adapter, folder, url).items() if s.out_of_order}


# -- Flyway ----------------------------------------------------------------------------------

FLYWAY_DDL = """
CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "public"."flyway_schema_history"
    ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
"""


def flyway_row(
    conn: Connection,
    rank: int,
    version: str | None,
    description: str,
    kind: str = "SQL",
    checksum: int | None = None,
    success: bool = True,
) -> None:
    script = f"V{version}__{description}.sql" if version else f"R__{description}.sql"
    conn.execute(
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
        "checksum, installed_by, execution_time, success) "
        "VALUES (%s, %s, %s, %s, %s, %s, 'postgres', 5, %s)",
        (rank, version, description, kind, script, checksum, success),
    )


def test_flyway_checksum_is_javas_crc32_over_lines() -> None:
    """Expected values computed independently with `java.util.zip.CRC32` fed each
    `BufferedReader.readLine()` line as UTF-8, BOM dropped from the first line — Flyway's
    `ChecksumCalculator` rule (the reference gives no worked example)."""
    assert flyway_checksum(b"CREATE TABLE users (id int);\n") == 336540139
    crlf = b"CREATE TABLE users (\r\n  id int\r\n);\r\n"
    bom_no_final_newline = b"\xef\xbb\xbfCREATE TABLE users (\n  id int\n);"
    assert flyway_checksum(crlf) == flyway_checksum(bom_no_final_newline) == 1043533331
    assert flyway_checksum("INSERT INTO t VALUES ('café');\n\n".encode()) == -36497513  # signed


USERS_SQL = "CREATE TABLE users (\n  id int\n);\n"
EMAIL_SQL = "ALTER TABLE users ADD email text;\n"


def test_flyway_states_from_schema_history(tmp_path: Path, url: str, conn: Connection) -> None:
    folder = write(
        tmp_path / "db" / "migration",
        {
            "V1__create_users.sql": USERS_SQL.replace("\n", "\r\n"),  # line endings don't count
            "V1_1__add_email.sql": EMAIL_SQL.replace("text", "varchar(80)"),  # edited
            "V1_2__add_index.sql": "CREATE INDEX ON users (email);\n",  # merged in late
            "V2__broken.sql": "CREATE INDEX CONCURRENTLY nope ON missing (x);\n",
            "V4__later.sql": "SELECT 1;\n",
            "nested/V5__deeper.sql": "SELECT 5;\n",
            "R__views.sql": "CREATE OR REPLACE VIEW v AS SELECT 1;\n",
            "notes.sql": "-- not a migration\n",
        },
    )
    conn.execute(FLYWAY_DDL)
    flyway_row(conn, 0, "0", "<< Flyway Schema Creation >>", "SCHEMA")
    flyway_row(conn, 1, "1", "create users", checksum=flyway_checksum(USERS_SQL.encode()))
    flyway_row(conn, 2, "1.1", "add email", checksum=flyway_checksum(EMAIL_SQL.encode()))
    flyway_row(conn, 3, None, "views", checksum=123)
    flyway_row(conn, 4, "2", "broken", checksum=1, success=False)
    flyway_row(conn, 5, "3", "other branch", checksum=7)

    found = status(FlywayAdapter(), folder, url)
    assert {v: s.state for v, s in found.items()} == {
        "1": A,
        "1.1": M,
        "1.2": P,
        "2": F,
        "3": E,
        "4": P,
        "5": P,
    }
    assert out_of_order(FlywayAdapter(), folder, url) == {"1.2"}  # below applied 3
    assert found["1.1"].name == "add email"
    assert found["3"].name == "other branch"
    assert found["2"].error is not None
    assert "flyway repair" in found["2"].error
    assert not found["1"].has_down


def test_flyway_baseline_undo_and_deleted_rows(tmp_path: Path, url: str, conn: Connection) -> None:
    folder = write(tmp_path / "m", {"V2__a.sql": "SELECT 2;\n", "U2__a.sql": "SELECT -2;\n"})
    conn.execute(FLYWAY_DDL)
    flyway_row(conn, 1, "1", "<< Flyway Baseline >>", "BASELINE")
    flyway_row(conn, 2, "2", "a", checksum=flyway_checksum(b"SELECT 2;\n"))
    flyway_row(conn, 3, "2", "a", "UNDO_SQL", checksum=5)
    flyway_row(conn, 4, "3", "gone", checksum=9)
    flyway_row(conn, 5, "3", "gone", "DELETE")  # `flyway repair` marked it deleted
    assert states(FlywayAdapter(), folder, url) == {"2": R}


def test_flyway_without_history_table_nothing_is_applied(tmp_path: Path, url: str) -> None:
    folder = write(tmp_path / "m", {"V1__a.sql": "SELECT 1;\n", "V10__b.sql": "SELECT 10;\n"})
    assert states(FlywayAdapter(), folder, url) == {"1": P, "10": P}
    assert [s.version for s in ToolRunner(FlywayAdapter(), folder).status(url)] == ["1", "10"]
    assert tables(url) == set()


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ("flyway.conf", True),
        ("flyway.toml", True),
        ("conf/flyway.conf", True),
        ("db/migration/V1__init.sql", True),
        ("db/migration/R__views.sql", False),
        ("db/migration/001_init.sql", False),
    ],
)
def test_flyway_detect(tmp_path: Path, marker: str, expected: bool) -> None:
    write(tmp_path, {marker: ""})
    assert FlywayAdapter().detect(tmp_path) is expected


# -- Knex ------------------------------------------------------------------------------------

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

    # knex keeps no checksum: wttui recorded one on first sight, so an edit now shows
    (folder / "20240101000000_users.js").write_text(KNEX_UP.format("people"))
    assert states(adapter, folder, url)["20240101000000_users.js"] is M


def test_knex_lock_left_behind_is_reported(tmp_path: Path, url: str, conn: Connection) -> None:
    folder = write(tmp_path / "migrations", {"20240101000000_users.js": KNEX_UP.format("users")})
    knex_rows(conn, "20240101000000_users.js")
    assert "knex_migrations_lock" not in states(KnexAdapter(), folder, url)

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
    assert states(KnexAdapter(), folder, url) == {"20240101000000_users.js": P}
    assert tables(url) == set()


KNEXFILE = "module.exports = { client: 'pg', connection: process.env.DATABASE_URL };\n"
KNEX_PACKAGES = ("knex@3.3.0", "pg@8")
"""Installed once into $WTTUI_NPM_TOOLS (default /tmp/wttui-npm-tools); CI can pre-install
with `npm install --prefix "$WTTUI_NPM_TOOLS" --no-audit --no-fund knex@3.3.0 pg@8`."""


def knex_install() -> Path:
    """node_modules holding knex and pg: fails under CI=true, skips elsewhere, when missing."""
    prefix = Path(os.environ.get("WTTUI_NPM_TOOLS", "/tmp/wttui-npm-tools"))
    modules = prefix / "node_modules"
    if (modules / ".bin" / "knex").exists() and (modules / "pg").is_dir():
        return modules
    npm = shutil.which("npm")
    if npm is None or shutil.which("npx") is None:
        require_component("npm", "node and npm install knex for the real-tool test")
    try:
        done = subprocess.run(
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", *KNEX_PACKAGES],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        require_component("knex", "npm install timed out")
    if done.returncode != 0:
        require_component("knex", f"npm install failed: {done.stderr.strip()[-500:]}")
    return modules


def test_real_knex_cli_agrees_with_status(tmp_path: Path, url: str) -> None:
    """`npx knex migrate:latest` / `migrate:down` — the adapter's own default commands — run
    by ToolRunner in a project whose knexfile reads DATABASE_URL."""
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
    (project / "node_modules").symlink_to(knex_install())
    adapter = KnexAdapter()
    assert adapter.detect(project)
    runner = ToolRunner(adapter, project / adapter.default_dir)
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
    assert states(adapter, runner.folder, url) == {
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


# -- node-pg-migrate -------------------------------------------------------------------------

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

    (folder / "1700000000000_users.js").write_text(PGM_UP.replace("{0}", "people"))
    assert states(adapter, folder, url)["1700000000000_users"] is M


def test_node_pg_migrate_without_table_nothing_is_applied(tmp_path: Path, url: str) -> None:
    folder = write(tmp_path / "migrations", {"1700000000000_users.js": PGM_UP})
    assert states(NodePgMigrateAdapter(), folder, url) == {"1700000000000_users": P}
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


# -- Drizzle ---------------------------------------------------------------------------------

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
    assert states(adapter, folder, url)["1700000002000"] is M


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
    assert states(DrizzleAdapter(), folder, url) == {"1700000000000": P}
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
