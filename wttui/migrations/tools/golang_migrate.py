"""golang-migrate: `<version>_<title>.up.sql` / `.down.sql` pairs and a one-row
`schema_migrations (version bigint, dirty boolean)`.

Facts (MIGRATION-TOOLS.md §5, golang-migrate `database/postgres/postgres.go`, `source/parse.go`,
`migrate.go`): the table is `schema_migrations (version bigint not null primary key, dirty
boolean not null)` in `current_schema()`; `SetVersion` truncates it and inserts one row, so only
the current version is known — no history, no checksum. An empty table is no migration
(`NilVersion` -1; a dirty nil is stored as `(-1, true)`). Before each migration the tool writes
`(target, dirty=true)`, after it `(target, false)`: a failed up leaves the failed version dirty,
a failed down the previous one, and every command then refuses until `migrate force V`. Files
match `^([0-9]+)_(.*)\\.(down|up)\\.(.*)$` and the version is a uint, so `001_x` is version 1.
Every file version ≤ the stored one counts as applied, even one from another branch that never
ran: the tool cannot tell, and neither can wttui.

That last rule is why the adapter is `cumulative`: `applied` reads the one row, and `implied`
(which the runner applies to a `cumulative` adapter's rows) adds every lower local version as
applied.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from psycopg import sql

from wttui.core.models import MigrationState
from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    Connection,
    LocalMigration,
    shell,
    version_key,
)
from wttui.migrations.resolution import Resolution, ResolveRequest, newest_only
from wttui.migrations.schema_migrations import TABLE, schema_migrations_owner

_FILE = re.compile(r"^([0-9]+)_(.*)\.(down|up)\.(.*)$")
_DIRS = ("migrations", "db/migrations")
_FORCE = 'migrate -path "$WTTUI_MIGRATIONS_DIR" -database "$DATABASE_URL" force {}'


def _dirty(version: int) -> str:
    return (
        "dirty: a migration failed half way (an up leaves its own version, a down the one "
        f"before it); fix the database by hand, then run `migrate force {version}` (or the "
        "version it really is at)"
    )


class GolangMigrateAdapter(Adapter):
    """The CLI needs `-path` and `-database`; the commands run through `sh` to read
    `DATABASE_URL` and `WTTUI_MIGRATIONS_DIR` (the folder in force, `[migrations] dir`) from
    the env wttui gives them. `down` without a count asks for confirmation, so roll back is
    `down 1`."""

    name = "golang-migrate"
    default_dir = "migrations"
    markers = _DIRS
    apply = shell('migrate -path "$WTTUI_MIGRATIONS_DIR" -database "$DATABASE_URL" up')
    out_of_order = "golang-migrate never applies it: it only knows how far it got"
    out_of_order_fix = (
        "give it a version above the database's (`migrate force` only moves the version: it runs "
        "nothing)"
    )
    state_table = "schema_migrations"
    """What the tool does with a pending migration older than the newest applied one."""
    rollback = shell('migrate -path "$WTTUI_MIGRATIONS_DIR" -database "$DATABASE_URL" down 1')
    cumulative = True
    """A stored version implies every lower local version is applied (see `implied`)."""

    def detect(self, root: Path) -> bool:
        for rel in _DIRS:
            try:
                names = set(os.listdir(root / rel))
            except OSError:  # no such folder
                continue
            for name in names:
                match = _FILE.match(name)
                if match and match[3] == "up" and name.replace(".up.", ".down.", 1) in names:
                    return True
        return False

    def local(self, folder: Path) -> list[LocalMigration]:
        if not folder.is_dir():
            return []
        found = []
        for path in folder.iterdir():
            match = _FILE.match(path.name)
            if match and match[3] == "up" and path.is_file():
                found.append(LocalMigration(str(int(match[1])), match[2], path))
        return sorted(found, key=lambda m: version_key(m.version))

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        if schema_migrations_owner(conn) != "golang-migrate":
            return None
        row = conn.execute(
            sql.SQL("SELECT version, dirty FROM {}").format(sql.Identifier(TABLE))
        ).fetchone()
        if row is None:
            return []
        version, dirty = int(row[0]), bool(row[1])
        if dirty:
            name = "(nil version: the first migration's down failed)" if version < 0 else ""
            failed = MigrationState.FAILED
            return [AppliedMigration(str(version), name, failed, error=_dirty(version))]
        return [] if version < 0 else [AppliedMigration(str(version))]

    def resolve(self, request: ResolveRequest) -> Resolution:
        """`migrate force V`: the one row becomes `(V, clean)`. Applied: V itself (every lower
        version counts as applied with it); rolled back: the version below V (-1: none), which
        only makes sense for the newest one the database has."""
        version = int(request.status.version)
        if request.applied:
            lower = [s.version for s in request.pending_before()]
            also = f" (and {', '.join(lower)} below it, never run)" if lower else ""
            return Resolution(
                belief=f"golang-migrate will store version {version}, clean: it counts "
                f"{request.name}{also} as applied",
                command=shell(_FORCE.format(version)),
            )
        newest_only(request, "golang-migrate", "stores only how far it got")
        below = [
            int(m.version)
            for m in request.migrations
            if m.version.isdigit() and int(m.version) < version
        ]
        target = max(below, default=-1)
        then = f"version {target}" if target >= 0 else "no version (-1)"
        return Resolution(
            belief=f"golang-migrate will store {then}, clean: {request.name} counts as pending and "
            "`up` runs it",
            command=shell(_FORCE.format(target)),
        )
