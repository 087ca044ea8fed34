"""Prisma Migrate: `prisma/migrations/<name>/migration.sql` and `_prisma_migrations`.

Facts (prisma-engines `checksum.rs`, `migration_persistence.rs`, `diagnose_migration_history.rs`;
prisma v7 `listMigrations.ts`, `MigrateStatus.ts`): the migration's identity is its folder name;
the checksum is SHA-256 hex of `migration.sql`'s text, matched as-is, with CRLF→LF or LF→CRLF,
and legacy rows may hold unpadded hex; a row is applied when `finished_at` is set and
`rolled_back_at` is not, failed when neither is set (`logs` has the error), rolled back when
`rolled_back_at` is set; several rows per name are possible, ordered by `started_at`. Prisma has
no down migrations, and `prisma migrate status` says nothing about edited or database-only
migrations — wttui reads the table itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from wttui.core.models import MigrationState
from wttui.errors import Refused
from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    Connection,
    LocalMigration,
    Resolution,
    ResolveRequest,
    table_exists,
)

TABLE = "_prisma_migrations"


def _checksums(data: bytes) -> set[str]:
    """The checksums Prisma accepts for a file: as is, CRLF→LF, LF→CRLF; padded or legacy hex."""
    variants = {data, data.replace(b"\r\n", b"\n")}
    variants.add(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    found = set()
    for variant in variants:
        digest = hashlib.sha256(variant).digest()
        found.add(digest.hex())
        found.add("".join(format(byte, "x") for byte in digest))  # prisma-engines #1887
    return found


class PrismaAdapter(Adapter):
    name = "prisma"
    default_dir = "prisma/migrations"
    markers = (
        "prisma/schema.prisma",
        "prisma/schema",
        "prisma/migrations/migration_lock.toml",
        "prisma.config.ts",
    )
    apply = ("npx", "prisma", "migrate", "deploy")
    out_of_order = (
        "`prisma migrate deploy` applies it (it applies every unapplied folder in name order)"
    )
    """What the tool does with a pending migration older than the newest applied one."""
    rollback = None

    def detect(self, root: Path) -> bool:
        return (
            (root / "prisma" / "schema.prisma").is_file()
            or (root / "prisma" / "schema").is_dir()
            or (root / "prisma" / "migrations" / "migration_lock.toml").is_file()
            or (root / "prisma.config.ts").is_file()
        )

    def local(self, folder: Path) -> list[LocalMigration]:
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(p for p in folder.iterdir() if p.is_dir()):
            script = path / "migration.sql"
            if not script.is_file():
                continue
            name = path.name.partition("_")[2] if "_" in path.name else path.name
            checksum = hashlib.sha256(script.read_bytes()).hexdigest()
            found.append(LocalMigration(path.name, name, script, checksum))
        return found

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        if not table_exists(conn, TABLE):  # in the datasource's schema: found via search_path
            return None
        rows = conn.execute(
            "SELECT migration_name, checksum, finished_at, rolled_back_at, logs, started_at "
            "FROM _prisma_migrations ORDER BY started_at"
        ).fetchall()
        result = []
        for name, checksum, finished, rolled_back, logs, started in rows:
            if rolled_back is not None:
                state = MigrationState.ROLLED_BACK
            elif finished is None:
                state = MigrationState.FAILED
            else:
                state = MigrationState.APPLIED
            result.append(
                AppliedMigration(
                    version=str(name),
                    name=str(name).partition("_")[2] or str(name),
                    state=state,
                    checksum=str(checksum),
                    applied_at=finished or started,
                    error=(str(logs).strip() or None) if logs else None,
                )
            )
        return result

    def same_checksum(self, local: LocalMigration, stored: str) -> bool:
        return stored in _checksums(local.file.read_bytes())

    def resolve(self, request: ResolveRequest) -> Resolution:
        """`prisma migrate resolve`: `--applied` adds a finished row (and marks failed rows of
        it rolled back); `--rolled-back` only marks a *failed* migration (P3012 otherwise)."""
        name = request.status.version
        if request.applied:
            return Resolution(
                belief=f"Prisma will count {name} as applied: `migrate deploy` skips it",
                command=("npx", "prisma", "migrate", "resolve", "--applied", name),
            )
        if request.status.state is not MigrationState.FAILED:
            raise Refused(
                f"Prisma marks only a failed migration rolled back, and {name} did not fail "
                "(`prisma migrate resolve` refuses it: P3012)",
                hint="Prisma has no down migrations: undo it with a new migration",
            )
        return Resolution(
            belief=f"Prisma will count the failed {name} as rolled back: `migrate deploy` runs "
            "it again",
            command=("npx", "prisma", "migrate", "resolve", "--rolled-back", name),
        )
