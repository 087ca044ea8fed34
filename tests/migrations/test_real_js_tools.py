"""The real node-pg-migrate and Drizzle Kit CLIs, driven through `ToolRunner` with the
adapters' own default commands, agree with what wttui reads from their state tables.

Both tools are npm-installed once into $WTTUI_NPM_TOOLS (default /tmp/wttui-npm-tools, shared
with the real-Knex test) and reached by `npx` through a `node_modules` symlink in the project,
as a developer's `npm install` would leave it. Missing node/npm fails under CI=true and skips
elsewhere. CI can pre-install with
`npm install --prefix "$WTTUI_NPM_TOOLS" --no-audit --no-fund node-pg-migrate@9.0.0 pg@8
drizzle-kit@0.31.11 drizzle-orm@0.45.4`.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.conftest import require_component
from tests.repo_factory import tables
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState, MigrationStatus
from wttui.errors import MigrationFailed
from wttui.migrations.adapter import Adapter
from wttui.migrations.base import ApplyContext
from wttui.migrations.runner import ToolRunner
from wttui.migrations.tools.drizzle import DrizzleAdapter, drizzle_hash
from wttui.migrations.tools.node_pg_migrate import NodePgMigrateAdapter
from wttui.providers.postgres import PostgresProvider

A = MigrationState.APPLIED
P = MigrationState.PENDING

PGM_PACKAGES = ("node-pg-migrate@9.0.0", "pg@8")
DRIZZLE_PACKAGES = ("drizzle-kit@0.31.11", "drizzle-orm@0.45.4", "pg@8")


def _installed(modules: Path, spec: str) -> bool:
    name, _, wanted = spec.rpartition("@")
    try:
        version = json.loads((modules / name / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return isinstance(version, str) and (version == wanted or version.startswith(wanted + "."))


def npm_tools(*packages: str) -> Path:
    """node_modules holding `packages` (`name@version`), installed into the shared prefix when
    missing; fails under CI=true, skips elsewhere, when that is impossible."""
    prefix = Path(os.environ.get("WTTUI_NPM_TOOLS", "/tmp/wttui-npm-tools"))
    modules = prefix / "node_modules"
    if all(_installed(modules, spec) for spec in packages):
        return modules
    npm = shutil.which("npm")
    if npm is None or shutil.which("npx") is None:
        require_component("npm", f"node and npm install {' '.join(packages)}")
    prefix.mkdir(parents=True, exist_ok=True)
    with (prefix / ".wttui-install.lock").open("w") as lock:  # xdist workers share the prefix
        fcntl.flock(lock, fcntl.LOCK_EX)
        if all(_installed(modules, spec) for spec in packages):
            return modules
        command = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund"]
        try:
            done = subprocess.run(
                [*command, *packages], capture_output=True, text=True, timeout=300
            )
        except subprocess.TimeoutExpired:
            require_component(packages[0], "npm install timed out")
    if done.returncode != 0:
        require_component(packages[0], f"npm install failed: {done.stderr.strip()[-500:]}")
    return modules


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def context(project: Path, url: str, branch: str) -> ApplyContext:
    return ApplyContext(
        worktree=project.name,
        branch=branch,
        commit="abc1234",
        path=project,
        env={"DATABASE_URL": url},
    )


def status(adapter: Adapter, folder: Path, url: str) -> dict[str, MigrationStatus]:
    return {s.version: s for s in ToolRunner(adapter, folder).status(url)}


def states(adapter: Adapter, folder: Path, url: str) -> dict[str, MigrationState]:
    return {v: s.state for v, s in status(adapter, folder, url).items()}


def column(url: str, query: str) -> list[object]:
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute(query).fetchall()]


@pytest.fixture
def url(pg: PostgresProvider, fresh_db_name: str) -> str:
    pg.create_database(fresh_db_name)
    return pg.url_for(fresh_db_name)


# -- node-pg-migrate -------------------------------------------------------------------------

PGM_USERS = "1700000000000_users"
PGM_ORDERS = "1700000000003_orders"
PGM_MERGED = "1700000000002_merged"


def pgm_sql(table: str) -> str:
    """node-pg-migrate's single-file SQL format (its legacy SQL loader, the CLI's default)."""
    up = f"-- Up Migration\nCREATE TABLE {table} (id int);\n"
    return up + f"-- Down Migration\nDROP TABLE {table};\n"


def test_real_node_pg_migrate_agrees_with_status(tmp_path: Path, url: str) -> None:
    """`npx node-pg-migrate up` / `down`, the adapter's default commands, via ToolRunner."""
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
    runner = ToolRunner(adapter, project / adapter.default_dir)
    ctx = context(project, url, "feat/pgm")
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
    assert states(adapter, runner.folder, url) == {PGM_USERS: A, PGM_ORDERS: P}
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
    assert states(adapter, runner.folder, url)[PGM_MERGED] is P
    assert "merged" not in tables(url)

    # checkOrder runs before either direction: `down` refuses too while the file is there
    sink = ListSink()
    with pytest.raises(MigrationFailed):
        runner.rollback(url, steps=1, context=ctx, sink=sink, cancel=CancelToken())
    assert f"Not run migration {PGM_MERGED} is preceding already run migration" in sink.text
    assert states(adapter, runner.folder, url)[PGM_ORDERS] is A


# -- Drizzle Kit -----------------------------------------------------------------------------

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
    """`npx drizzle-kit migrate`, the adapter's default command, via ToolRunner."""
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
    runner = ToolRunner(adapter, project / adapter.default_dir)
    ctx = context(project, url, "feat/drizzle")
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

    sink = ListSink()
    assert runner.apply(url, context=ctx, sink=sink, cancel=CancelToken()) == 0, sink.text
    assert states(adapter, runner.folder, url)["1700000001000"] is P
    assert "merged" not in tables(url)
    assert column(url, 'SELECT created_at FROM drizzle."__drizzle_migrations"') == [
        1700000000000,
        1700000002000,
    ]
