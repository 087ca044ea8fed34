"""Knex: `migrations/<YYYYMMDDHHmmss>_<name>.js` and `knex_migrations` / `knex_migrations_lock`.

Facts (MIGRATION-TOOLS.md §8, from knex `table-creator.js`, `Migrator.js`,
`sources/fs-migrations.js`, `common/MigrationsLoader.js`, `bin/cli.js`): `knex_migrations` is
`id serial, name varchar(255), batch integer, migration_time timestamptz`, one row per applied
migration; `name` is the file name **with** its extension (renaming `.js`→`.ts` unmatches it).
Files are those in `./migrations` whose extension is in `loadExtensions` (default `.co .coffee
.eg .iced .js .cjs .litcoffee .ls .ts`; wttui also takes `.mjs`, which ESM projects add), sorted
by file name. Knex keeps no checksum, so edit detection is wttui's own (see `owners`). A batch
normally runs in one transaction: there is no failed row, but a crashed run can leave
`knex_migrations_lock.is_locked = 1`, after which every command fails with "Migration table is
already locked" until `knex migrate:unlock`. That lock is reported as a FAILED entry of its own,
`knex_migrations_lock`, with the fix as its error — not on a migration row, which would change
which migration wttui thinks is newest. Roll back one: `knex migrate:down` (undoes the last
migration; `migrate:rollback` undoes the whole last batch). The tables are found through the
`search_path` (knex's default when no `schemaName` is set).
"""

from __future__ import annotations

from pathlib import Path

from psycopg import sql

from wttui.core.models import MigrationState
from wttui.core.versions import VersionKey, text_key
from wttui.errors import Refused
from wttui.migrations.adapter import (
    TIMESTAMPED,
    Adapter,
    AppliedMigration,
    Connection,
    LocalMigration,
    table_exists,
)
from wttui.migrations.resolution import Resolution, ResolveRequest

TABLE = "knex_migrations"
LOCK_TABLE = "knex_migrations_lock"
EXTENSIONS = (".co", ".coffee", ".eg", ".iced", ".js", ".cjs", ".litcoffee", ".ls", ".ts", ".mjs")
KNEXFILES = ("knexfile.js", "knexfile.ts", "knexfile.cjs", "knexfile.mjs")
LOCKED = AppliedMigration(
    version=LOCK_TABLE,
    name="migrations locked",
    state=MigrationState.FAILED,
    error=(
        "knex_migrations_lock.is_locked = 1: a knex run is in progress or crashed and left the "
        "lock; knex refuses to migrate until `npx knex migrate:unlock`"
    ),
)
"""Not a migration: no file name can be it, since knex names keep their extension."""


def _display_name(file_name: str) -> str:
    stem = file_name.rsplit(".", 1)[0]
    return stem.partition("_")[2] or stem


class KnexAdapter(Adapter):
    name = "knex"
    default_dir = "migrations"
    markers = KNEXFILES
    apply = ("npx", "knex", "migrate:latest")
    out_of_order = "Knex applies it in the next batch, without a word"
    state_table = "knex_migrations"
    naming = TIMESTAMPED

    def order_key(self, version: str) -> VersionKey:
        """Knex sorts file names as text."""
        return text_key(version)

    """What the tool does with a pending migration older than the newest applied one."""
    rollback = ("npx", "knex", "migrate:down")

    def detect(self, root: Path) -> bool:
        return any((root / name).is_file() for name in KNEXFILES)

    def local(self, folder: Path) -> list[LocalMigration]:
        if not folder.is_dir():
            return []
        return [
            LocalMigration(path.name, _display_name(path.name), path)
            for path in sorted(folder.iterdir(), key=lambda p: p.name)
            if path.suffix in EXTENSIONS and path.is_file()
        ]

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        if not table_exists(conn, TABLE):
            return None
        rows = conn.execute(
            sql.SQL("SELECT name, migration_time FROM {} ORDER BY id").format(sql.Identifier(TABLE))
        ).fetchall()
        result = [
            AppliedMigration(version=str(name), name=_display_name(str(name)), applied_at=at)
            for name, at in rows
        ]
        if table_exists(conn, LOCK_TABLE):
            locked = conn.execute(
                sql.SQL("SELECT 1 FROM {} WHERE is_locked = 1").format(sql.Identifier(LOCK_TABLE))
            ).fetchone()
            if locked:
                result.append(LOCKED)
        return result

    def resolve(self, request: ResolveRequest) -> Resolution:
        """Knex has no command for it: its row, as `migrate:latest` inserts it (a new batch,
        one above the last, stamped now) or `migrate:down` deletes it."""
        if not request.tracked:
            raise _not_yet("knex", TABLE)
        name = request.status.version
        table = sql.Identifier(TABLE)
        if request.applied:

            def insert(conn: Connection) -> None:
                conn.execute(
                    sql.SQL(
                        "INSERT INTO {0} (name, batch, migration_time) "
                        "SELECT %s, coalesce(max(batch), 0) + 1, now() FROM {0}"
                    ).format(table),
                    (name,),
                )

            return Resolution(
                belief=f"knex will count {name} as completed: `migrate:latest` skips it",
                write=insert,
                how=f"knex_migrations: {name} inserted in a batch of its own",
            )

        def delete(conn: Connection) -> None:
            conn.execute(sql.SQL("DELETE FROM {} WHERE name = %s").format(table), (name,))

        return Resolution(
            belief=f"knex will count {name} as pending: the next `migrate:latest` runs it",
            write=delete,
            how=f"knex_migrations: {name} deleted",
        )


def _not_yet(tool: str, table: str) -> Refused:
    return Refused(
        f"{table} does not exist in this database: {tool} has never run here, and wttui does not "
        "create a tool's tables for it",
        hint="run `wttui migrate` once so the tool creates its table, then resolve",
    )
