"""Drizzle Kit: `drizzle/<tag>.sql` listed in `drizzle/meta/_journal.json`, and
`drizzle.__drizzle_migrations`.

Facts (MIGRATION-TOOLS.md §12, from drizzle-orm `migrator.ts`, `pg-core/dialect.ts`,
`migrator.utils.ts`): the table is `id SERIAL PRIMARY KEY, hash text NOT NULL, created_at
bigint` in schema `drizzle` (1.x adds `name text, applied_at timestamptz`). In 0.x the journal's
`entries: [{idx, version, when, tag, breakpoints}]` name the files (`<tag>.sql`); a row stores
`created_at` = the entry's `when` (ms) and `hash` = sha256 hex of the file's text. So the
identity on both sides is `str(when)`. 1.x keeps one folder per migration,
`<YYYYMMDDHHMMSS>_<name>/migration.sql`, whose row has `created_at` = those 14 digits as UTC
ms; wttui reads that layout the same way when there is no journal. Drizzle stores the hash but
never checks it: wttui does, so an edited file shows as modified.

Ordering: Drizzle 0.x applies only files whose `when` is greater than the newest row's
`created_at`, so a migration merged in from another branch with an older timestamp is
**silently never applied**; wttui shows it pending and out of order. DB-only rows are ignored by
Drizzle and shown applied elsewhere here. There are no down migrations and no failed state (all
pending migrations run in one transaction). The table and schema can be renamed in
`drizzle.config.*` (`migrations: {table, schema}`); wttui reads the defaults.
"""

from __future__ import annotations

import hashlib
import json
from calendar import timegm
from pathlib import Path
from time import strptime

from psycopg import sql

from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    Connection,
    LocalMigration,
    columns,
    table_exists,
)

SCHEMA = "drizzle"
TABLE = "__drizzle_migrations"
JOURNAL = Path("meta") / "_journal.json"
CONFIGS = ("drizzle.config.ts", "drizzle.config.js", "drizzle.config.json")


def drizzle_hash(path: Path) -> str:
    """sha256 hex of the file read as text (`readFileSync().toString()`, hashed as UTF-8)."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    return hashlib.sha256(text.encode()).hexdigest()


def _migration(version: str, name: str, path: Path) -> LocalMigration:
    return LocalMigration(version, name, path, drizzle_hash(path))


def _from_journal(folder: Path) -> list[LocalMigration]:
    try:
        entries = json.loads((folder / JOURNAL).read_text()).get("entries", [])
    except (OSError, ValueError, AttributeError):
        return []
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or "tag" not in entry or "when" not in entry:
            continue
        path = folder / f"{entry['tag']}.sql"
        if path.is_file():  # drizzle itself stops at a missing file
            found.append(_migration(str(entry["when"]), str(entry["tag"]), path))
    return found


def _when_1x(folder_name: str) -> str | None:
    """`20240101120000_x` → the UTC ms drizzle 1.x stores as `created_at`."""
    try:
        return str(timegm(strptime(folder_name[:14], "%Y%m%d%H%M%S")) * 1000)
    except ValueError:
        return None


def _from_folders(folder: Path) -> list[LocalMigration]:
    found = []
    for path in sorted(p for p in folder.iterdir() if p.is_dir()):
        script, when = path / "migration.sql", _when_1x(path.name)
        if when is not None and script.is_file():
            found.append(_migration(when, path.name, script))
    return found


class DrizzleAdapter(Adapter):
    name = "drizzle"
    default_dir = "drizzle"
    markers = (*CONFIGS, "drizzle/meta/_journal.json")
    apply = ("npx", "drizzle-kit", "migrate")
    out_of_order = "drizzle-kit 0.x silently never applies it (1.x applies it)"
    """What the tool does with a pending migration older than the newest applied one."""
    rollback = None

    def detect(self, root: Path) -> bool:
        return (
            any((root / name).is_file() for name in CONFIGS)
            or (root / "drizzle" / JOURNAL).is_file()
        )

    def local(self, folder: Path) -> list[LocalMigration]:
        if not folder.is_dir():
            return []
        if (folder / JOURNAL).is_file():
            return _from_journal(folder)
        return _from_folders(folder)

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        if not table_exists(conn, f'{SCHEMA}."{TABLE}"'):
            return None
        present = columns(conn, SCHEMA, TABLE)
        extra = [  # 1.x only
            sql.Identifier(c) if c in present else sql.SQL("NULL") for c in ("name", "applied_at")
        ]
        rows = conn.execute(
            sql.SQL("SELECT created_at, hash, {} FROM {} ORDER BY id").format(
                sql.SQL(", ").join(extra), sql.Identifier(SCHEMA, TABLE)
            )
        ).fetchall()
        return [
            AppliedMigration(
                version=str(created_at), name=str(name or ""), checksum=str(digest), applied_at=at
            )
            for created_at, digest, name, at in rows
        ]
