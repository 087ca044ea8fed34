"""dbmate: `db/migrations/<version>_<name>.sql` and `schema_migrations (version)`.

Facts (MIGRATION-TOOLS.md §4, dbmate `pkg/dbmate/{db,migration}.go`, `pkg/driver/postgres`):
the table is `create table if not exists schema_migrations (version varchar primary key)`, in
the URL's `search_path` schema, else `current_schema()`; `up`/`migrate` insert the version and
`rollback` deletes it, so a row is an applied migration and there is no failed or dirty state
(each migration and its insert share one transaction). Files match `^(\\d+).*\\.sql$`, the version
is the leading digits as written, and they are sorted by file name. dbmate stores no checksum.
`dbmate status` ignores versions without a file — wttui reads the table itself.

`schema_migrations` is also golang-migrate's and Rails' table: `schema_migrations.py` tells
them apart.
"""

from __future__ import annotations

import re
from pathlib import Path

from psycopg import sql

from wttui.core.versions import VersionKey, text_key
from wttui.migrations.adapter import (
    TIMESTAMPED,
    Adapter,
    AppliedMigration,
    Connection,
    LocalMigration,
    shell,
    version_key,
)
from wttui.migrations.resolution import Resolution, ResolveRequest
from wttui.migrations.schema_migrations import TABLE, schema_migrations_owner, version_row

_FILE = re.compile(r"^(\d+)(.*)\.sql$")
_MARKER = "-- migrate:up"
_DDL = "create table if not exists schema_migrations (version varchar primary key)"
"""dbmate's own (`pkg/driver/postgres`), in the `search_path`'s schema as dbmate puts it."""


class DbmateAdapter(Adapter):
    """`migrate` (not `up`: wttui creates the database) with `--no-dump-schema`, so applying
    neither needs `pg_dump` nor rewrites the worktree's `db/schema.sql`. dbmate reads
    `DATABASE_URL` from the env and its folder from `--migrations-dir` (default `./db/migrations`):
    with another `[migrations] dir`, set `[migrations] apply/rollback` too."""

    name = "dbmate"
    default_dir = "db/migrations"
    markers = ("db/migrations",)
    apply = shell('dbmate --no-dump-schema --migrations-dir "$WTTUI_MIGRATIONS_DIR" migrate')
    out_of_order = "dbmate applies it silently (`--strict` would refuse it)"
    state_table = "schema_migrations"
    naming = TIMESTAMPED

    def order_key(self, version: str) -> VersionKey:
        """dbmate sorts file names and compares versions as text (`--strict`)."""
        return text_key(version)

    """What the tool does with a pending migration older than the newest applied one."""
    rollback = shell('dbmate --no-dump-schema --migrations-dir "$WTTUI_MIGRATIONS_DIR" rollback')

    def detect(self, root: Path) -> bool:
        folder = root / "db" / "migrations"
        if not folder.is_dir():
            return False
        return any(
            _MARKER in path.read_text(errors="replace")
            for path in folder.glob("*.sql")
            if path.is_file()
        )

    def local(self, folder: Path) -> list[LocalMigration]:
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            match = _FILE.match(path.name)
            if match and path.is_file():
                found.append(LocalMigration(match[1], match[2].lstrip("_-"), path))
        return found

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        if schema_migrations_owner(conn) != "dbmate":
            return None
        rows = conn.execute(
            sql.SQL("SELECT version FROM {}").format(sql.Identifier(TABLE))
        ).fetchall()
        versions = sorted((str(row[0]) for row in rows), key=version_key)
        return [AppliedMigration(version) for version in versions]

    def resolve(self, request: ResolveRequest) -> Resolution:
        """dbmate has no command for it: its row, inserted or deleted as `migrate` and
        `rollback` do (the table created with dbmate's own DDL when it is missing)."""
        version = request.status.version
        if request.applied:
            return Resolution(
                belief=f"dbmate will count {request.name} as applied: `dbmate migrate` skips it",
                write=version_row("dbmate", version, applied=True, create=_DDL),
                how=f"schema_migrations: version {version} inserted",
            )
        return Resolution(
            belief=f"dbmate will count {request.name} as pending: the next migrate runs it",
            write=version_row("dbmate", version, applied=False),
            how=f"schema_migrations: version {version} deleted",
        )
