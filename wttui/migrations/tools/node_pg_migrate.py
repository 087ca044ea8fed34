"""node-pg-migrate: `migrations/<timestamp>_<name>.{js,ts,sql,…}` and `pgmigrations`.

Facts (MIGRATION-TOOLS.md §9, from node-pg-migrate `runner.ts`, `migration.ts`,
`migrationLoader.ts`): `pgmigrations` is `id SERIAL PRIMARY KEY, name varchar(255) NOT NULL,
run_on timestamp NOT NULL`, a row inserted on up and deleted on down, read `ORDER BY run_on, id`;
`name` is the file's base name **without** its extension (`basename(path, extname(path))`).
Every file in `migrations/` not matching the ignore pattern (default: names starting with `.`)
is a migration — the CLI (what wttui runs) loads `X.up.sql` and `X.down.sql` as two migrations
`X.up` and `X.down` (only the programmatic grouped SQL loader pairs them; checked against the
real CLI), so wttui counts them the same way. No checksum (edit detection is
wttui's own), no failed state (one transaction by default), down migrations via
`node-pg-migrate down` (one by default). `DATABASE_URL` is its default connection env var. The
table is read from the `search_path` (its default schema is `public`).
"""

from __future__ import annotations

import json
from pathlib import Path

from psycopg import sql

from wttui.core.versions import VersionKey, text_key
from wttui.errors import Refused
from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    Connection,
    LocalMigration,
    table_exists,
)
from wttui.migrations.resolution import Resolution, ResolveRequest

TABLE = "pgmigrations"
PACKAGE = "node-pg-migrate"


def identity(file_name: str) -> str | None:
    """The `name` node-pg-migrate stores for a file; None for files that are no migration."""
    if file_name.startswith("."):
        return None
    stem, dot, _ = file_name.rpartition(".")
    return stem if dot and stem else file_name


def _display_name(version: str) -> str:
    return version.partition("_")[2] or version


def _depends_on_tool(package_json: Path) -> bool:
    try:
        data = json.loads(package_json.read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict):
        return False
    sections = (data.get("dependencies"), data.get("devDependencies"))
    return any(isinstance(section, dict) and PACKAGE in section for section in sections)


class NodePgMigrateAdapter(Adapter):
    name = "node-pg-migrate"
    default_dir = "migrations"
    markers = ("migrations", "package.json")
    apply = ("npx", "node-pg-migrate", "up")
    out_of_order = (
        "`node-pg-migrate up` and `down` fail (checkOrder) unless run with --no-check-order"
    )
    out_of_order_fix = (
        "run `node-pg-migrate up --no-check-order` (set [migrations] apply), or rename it to sort "
        "after the newest applied one"
    )
    state_table = "pgmigrations"
    naming = r"^\d+_[a-z0-9]+([_-][a-z0-9]+)*$"

    def order_key(self, version: str) -> VersionKey:
        """node-pg-migrate sorts file names as text."""
        return text_key(version)

    """What the tool does with a pending migration older than the newest applied one."""
    rollback = ("npx", "node-pg-migrate", "down")

    def detect(self, root: Path) -> bool:
        return (root / "migrations").is_dir() and _depends_on_tool(root / "package.json")

    def local(self, folder: Path) -> list[LocalMigration]:
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            version = identity(path.name)
            if version is not None and path.is_file():
                found.append(LocalMigration(version, _display_name(version), path))
        return found

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        if not table_exists(conn, TABLE):
            return None
        rows = conn.execute(
            sql.SQL("SELECT name, run_on FROM {} ORDER BY run_on, id").format(sql.Identifier(TABLE))
        ).fetchall()
        return [
            AppliedMigration(version=str(name), name=_display_name(str(name)), applied_at=run_on)
            for name, run_on in rows
        ]

    def resolve(self, request: ResolveRequest) -> Resolution:
        """node-pg-migrate has no command for it: its row, as `up` inserts it (`run_on` now)
        or `down` deletes it."""
        if not request.tracked:
            raise _not_yet("node-pg-migrate", TABLE)
        name = request.status.version
        table = sql.Identifier(TABLE)
        if request.applied:

            def insert(conn: Connection) -> None:
                conn.execute(
                    sql.SQL("INSERT INTO {} (name, run_on) VALUES (%s, NOW())").format(table),
                    (name,),
                )

            return Resolution(
                belief=f"node-pg-migrate will count {name} as run: `up` skips it",
                write=insert,
                how=f"pgmigrations: {name} inserted",
            )

        def delete(conn: Connection) -> None:
            conn.execute(sql.SQL("DELETE FROM {} WHERE name = %s").format(table), (name,))

        return Resolution(
            belief=f"node-pg-migrate will count {name} as not run: the next `up` runs it",
            write=delete,
            how=f"pgmigrations: {name} deleted",
        )


def _not_yet(tool: str, table: str) -> Refused:
    return Refused(
        f"{table} does not exist in this database: {tool} has never run here, and wttui does not "
        "create a tool's tables for it",
        hint="run `wttui migrate` once so the tool creates its table, then resolve",
    )
