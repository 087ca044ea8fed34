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

Where: the folder is the config's `out` (a literal string; a computed one is not run), or
`drizzle/`; a journal found inside the folder itself (`meta/_journal.json`) names it too.
"""

from __future__ import annotations

import hashlib
import json
import re
from calendar import timegm
from pathlib import Path
from time import strptime

from psycopg import sql

from wttui.core.versions import leading_digits
from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    Connection,
    Evidence,
    LocalMigration,
    columns,
    table_exists,
)

SCHEMA = "drizzle"
TABLE = "__drizzle_migrations"
JOURNAL = Path("meta") / "_journal.json"
CONFIGS = (
    "drizzle.config.ts",
    "drizzle.config.js",
    "drizzle.config.mts",
    "drizzle.config.mjs",
    "drizzle.config.cjs",
    "drizzle.config.json",
)
_OUT = re.compile(r"\bout\s*:\s*([\"'`])([^\"'`]+)\1")


def config_out(config: Path) -> str | None:
    """The literal `out` of a `drizzle.config.*` (JSON read as JSON)."""
    try:
        text = config.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if config.suffix == ".json":
        try:
            out = json.loads(text).get("out")
        except (ValueError, AttributeError):
            return None
        return out if isinstance(out, str) and out else None
    found = _OUT.search(text)
    return found[2] if found else None


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
    markers = (*CONFIGS, "drizzle/meta/_journal.json", "meta/_journal.json")
    apply = ("npx", "drizzle-kit", "migrate")
    out_of_order = "drizzle-kit 0.x silently never applies it (1.x applies it)"
    """What the tool does with a pending migration older than the newest applied one."""
    out_of_order_fix = (
        "give its journal entry a `when` newer than the newest applied migration (regenerate it "
        "with `drizzle-kit generate` after merging), then migrate again"
    )
    rollback = None
    state_table = f"{SCHEMA}.{TABLE}"
    naming = r"^(\d{4}|\d{14})_[a-z0-9]+(_[a-z0-9]+)*$"
    """drizzle-kit's `0000_bright_lady_ursula` tags (1.x: `20240101120000_name` folders)."""

    def detect(self, root: Path) -> bool:
        return self.evidence(root) is not None

    def evidence(self, base: Path) -> Evidence | None:
        for name in CONFIGS:
            config = base / name
            if config.is_file():
                out = config_out(config)
                if out is None:
                    return Evidence(config)
                return Evidence(config, base / out, f'out: "{out}"')
        if (base / self.default_dir / JOURNAL).is_file():
            return Evidence(base / self.default_dir / JOURNAL)
        if (base / JOURNAL).is_file():  # found inside the folder itself
            return Evidence(base / JOURNAL, base, base=base.parent)
        return None

    def folder(self, root: Path) -> Path | None:
        found = self.evidence(root)
        return found.folder if found else None

    def sequence(self, migration: LocalMigration) -> str:
        """The tag's number (`0180` of `0180_x`): two branches giving one number to different
        entries make the journal conflict, whatever their `when`."""
        return leading_digits(migration.name) or migration.version

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
