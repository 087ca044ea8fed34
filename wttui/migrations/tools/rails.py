"""Rails ActiveRecord: `db/migrate/<version>_<name>.rb` and `schema_migrations (version)`.

Facts (MIGRATION-TOOLS.md §7, rails `activerecord/lib/active_record/{schema_migration.rb,
internal_metadata.rb, migration.rb}`):
- `schema_migrations (version character varying PRIMARY KEY)`: one row per applied migration,
  deleted on rollback; `ar_internal_metadata` (`key`, `value`, timestamps) sits beside it, which
  is how wttui tells it from dbmate's table of the same shape (`schema_migrations_owner`).
- Files match `\\A([0-9]+)_([_a-z0-9]*)\\.?([_a-z0-9]*)?\\.rb\\z`; the version is the leading
  digits (a timestamp), which Rails stores as an integer's text and compares normalised with
  `"%.3d"` — so `001_x.rb`, `1_x.rb` and a stored `1` are all version `001` here.
- No checksum, no failed or dirty state (each migration is a transaction on PG unless it uses
  `disable_ddl_transaction!`). Rails applies older pending versions without complaint.
- Two files with one version raise `DuplicateMigrationVersionError`.

Not handled: multi-database apps' `db/<name>_migrate/` (set `[migrations] dir`) and
`schema_migrations_table_name` prefixes/suffixes.
"""

from __future__ import annotations

import re
from pathlib import Path

from psycopg import sql

from wttui.errors import MigrationFileError
from wttui.migrations.adapter import (
    TIMESTAMPED,
    Adapter,
    AppliedMigration,
    Connection,
    LocalMigration,
    version_key,
)
from wttui.migrations.resolution import Resolution, ResolveRequest
from wttui.migrations.schema_migrations import TABLE, schema_migrations_owner, version_row

_FILE = re.compile(r"\A([0-9]+)_([_a-z0-9]*)\.?([_a-z0-9]*)?\.rb\Z")


def normalized(version: str) -> str:
    """Rails' `"%.3d" % version.to_i`: at least three digits, no other leading zeros."""
    return f"{int(version):03d}" if version.isdigit() else version


class RailsAdapter(Adapter):
    """`bin/rails db:migrate` / `db:rollback` (one step), run in the worktree; Rails reads
    `DATABASE_URL` over `config/database.yml`."""

    name = "rails"
    default_dir = "db/migrate"
    markers = ("config/database.yml", "bin/rails", "db/migrate")
    apply = ("bin/rails", "db:migrate")
    out_of_order = "`bin/rails db:migrate` applies it: Rails runs every pending version"
    state_table = "schema_migrations"
    naming = TIMESTAMPED
    """What the tool does with a pending migration older than the newest applied one."""
    rollback = ("bin/rails", "db:rollback")

    def detect(self, root: Path) -> bool:
        if not ((root / "config" / "database.yml").is_file() or (root / "bin" / "rails").is_file()):
            return False
        folder = root / "db" / "migrate"
        return folder.is_dir() and any(_FILE.match(p.name) for p in folder.iterdir())

    def local(self, folder: Path) -> list[LocalMigration]:
        """Raises:
        MigrationFileError: two files share a version (Rails refuses them too)."""
        if not folder.is_dir():
            return []
        found: dict[str, LocalMigration] = {}
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            match = _FILE.match(path.name)
            if not match or not path.is_file():
                continue
            version = normalized(match[1])
            if version in found:
                raise MigrationFileError(
                    f"{path.name} and {found[version].file.name} share version {version}"
                )
            found[version] = LocalMigration(version, match[2], path)
        return sorted(found.values(), key=lambda m: version_key(m.version))

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        if schema_migrations_owner(conn) != "rails":
            return None
        rows = conn.execute(
            sql.SQL("SELECT version FROM {}").format(sql.Identifier(TABLE))
        ).fetchall()
        versions = sorted((normalized(str(row[0])) for row in rows), key=version_key)
        return [AppliedMigration(version) for version in versions]

    def resolve(self, request: ResolveRequest) -> Resolution:
        """Rails has no command for it: its row, as `db:migrate` inserts it (the version's
        integer as text) or `db:rollback` deletes it. Rails creates its tables itself, with
        `ar_internal_metadata`: a database it never ran on gets nothing."""
        version = request.status.version
        stored = str(int(version)) if version.isdigit() else version
        if request.applied:
            return Resolution(
                belief=f"Rails will count {request.name} as up: `db:migrate` skips it",
                write=version_row("rails", stored, applied=True),
                how=f"schema_migrations: version {stored} inserted",
            )
        return Resolution(
            belief=f"Rails will count {request.name} as down: the next `db:migrate` runs it",
            write=version_row("rails", stored, applied=False),
            how=f"schema_migrations: version {stored} deleted",
        )
