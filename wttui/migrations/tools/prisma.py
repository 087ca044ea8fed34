"""Prisma Migrate: `prisma/migrations/<name>/migration.sql` and `_prisma_migrations`.

Facts (prisma-engines `checksum.rs`, `migration_persistence.rs`, `diagnose_migration_history.rs`;
prisma v7 `listMigrations.ts`, `MigrateStatus.ts`): the migration's identity is its folder name;
the checksum is SHA-256 hex of `migration.sql`'s text, matched as-is, with CRLF→LF or LF→CRLF,
and legacy rows may hold unpadded hex; a row is applied when `finished_at` is set and
`rolled_back_at` is not, failed when neither is set (`logs` has the error), rolled back when
`rolled_back_at` is set; several rows per name are possible, ordered by `started_at`. Prisma has
no down migrations, and `prisma migrate status` says nothing about edited or database-only
migrations — wttui reads the table itself.

Where: the migrations folder is `migrations/` beside the schema (`prisma/schema.prisma`, or
`schema.prisma` at the project's top, where the CLI also looks), unless Prisma 7's
`prisma.config.ts` names it (`migrations: { path }`) or names the schema (`schema`), or
`package.json` names the schema (`"prisma": {"schema": …}`, Prisma 6). A config that computes
these values is not run: only literal strings are read. Prisma sorts the folders with
JavaScript's `localeCompare` (`listMigrations.ts`), which `order_key` follows.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from wttui.core.models import MigrationState
from wttui.core.versions import VersionKey, collation_key
from wttui.errors import Refused
from wttui.migrations.adapter import (
    TIMESTAMPED,
    Adapter,
    AppliedMigration,
    Connection,
    Evidence,
    LocalMigration,
    table_exists,
)
from wttui.migrations.resolution import Resolution, ResolveRequest

TABLE = "_prisma_migrations"
CONFIGS = ("prisma.config.ts", ".config/prisma.ts")
_MIGRATIONS_PATH = re.compile(r"\bmigrations\s*:\s*\{[^}]*?\bpath\s*:\s*([\"'`])([^\"'`]+)\1", re.S)
_SCHEMA = re.compile(r"\bschema\s*:\s*([\"'`])([^\"'`]+)\1")


def _beside(schema: Path) -> Path:
    """The migrations folder of a schema file (or of a folder of `.prisma` files, which may
    hold it)."""
    if schema.suffix == ".prisma" or not schema.is_dir():
        return schema.parent / "migrations"
    nested = schema / "migrations"
    return nested if nested.is_dir() else schema.parent / "migrations"


def _package_schema(base: Path) -> str | None:
    try:
        data = json.loads((base / "package.json").read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        return None
    section = data.get("prisma") if isinstance(data, dict) else None
    schema = section.get("schema") if isinstance(section, dict) else None
    return schema if isinstance(schema, str) and schema else None


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
        ".config/prisma.ts",
        "schema.prisma",
        "migration_lock.toml",
    )
    state_table = TABLE
    naming = TIMESTAMPED
    apply = ("npx", "prisma", "migrate", "deploy")
    out_of_order = (
        "`prisma migrate deploy` applies it (it applies every unapplied folder in name order)"
    )
    """What the tool does with a pending migration older than the newest applied one."""
    rollback = None

    def detect(self, root: Path) -> bool:
        return self.evidence(root) is not None

    def evidence(self, base: Path) -> Evidence | None:
        """The config first (its `migrations.path`, else its `schema`), then a schema where the
        CLI looks for one, then a lock file, then `package.json`'s `prisma.schema`."""
        for name in CONFIGS:
            config = base / name
            if not config.is_file():
                continue
            text = config.read_text(encoding="utf-8", errors="replace")
            if found := _MIGRATIONS_PATH.search(text):
                path = found[2]
                return Evidence(config, base / path, f'migrations.path: "{path}"')
            if found := _SCHEMA.search(text):
                return Evidence(config, _beside(base / found[2]), f'schema: "{found[2]}"')
            return Evidence(config)
        for rel in ("prisma/schema.prisma", "prisma/schema"):
            if (base / rel).exists():
                return Evidence(base / rel)
        if (base / "schema.prisma").is_file():
            return Evidence(base / "schema.prisma", base / "migrations")
        if (base / self.default_dir / "migration_lock.toml").is_file():
            return Evidence(base / self.default_dir / "migration_lock.toml")
        lock = base / "migration_lock.toml"
        if lock.is_file() and "provider" in lock.read_text(errors="replace"):
            return Evidence(lock, base, base=base.parent)  # found inside the folder itself
        if schema := _package_schema(base):
            return Evidence(
                base / "package.json", _beside(base / schema), f'prisma.schema: "{schema}"'
            )
        return None

    def folder(self, root: Path) -> Path | None:
        found = self.evidence(root)
        return found.folder if found else None

    def order_key(self, version: str) -> VersionKey:
        return collation_key(version)

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
