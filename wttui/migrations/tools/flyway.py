"""Flyway: `db/migration/V<version>__<description>.sql` and `flyway_schema_history`.

Facts (MIGRATION-TOOLS.md §6, from flyway `ChecksumCalculator`, `PostgreSQLDatabase`,
`MigrationState`, `CoreMigrationType`, `FlywayModel`, `DbMigrate`): the default location is
`db/migration` with prefix `V`, separator `__`, suffix `.sql`; `V1_2__add_users.sql` is version
`1.2` (underscores become dots), description `add users`. Flyway's checksum is a CRC32 over the
UTF-8 bytes of each line with its terminator removed (`BufferedReader.readLine`: `\\n`, `\\r` or
`\\r\\n`) and a BOM stripped from the first line, stored as a signed 32-bit `checksum INTEGER` —
so it ignores line endings. `flyway_schema_history` has one row per applied migration, keyed by
`installed_rank`, plus marker rows of type `SCHEMA` and `BASELINE` that are not migrations;
`success = false` is a failed migration (written only for a non-transactional run: on PG a
transactional failure is rolled back and leaves no row).

Repeatable migrations (`R__views.sql`, `version` NULL in the table) re-run whenever their
checksum changes; they have no version, so wttui leaves them out on both sides. Undo (`U1__x.sql`,
`flyway undo`) is in Flyway's paid editions only, so there is no default roll-back command; an
`UNDO_*` row marks its version rolled back. A `DELETE` row (`flyway repair` marking a missing
migration deleted) makes Flyway ignore that version's earlier rows, so wttui does too.

Flyway needs its connection on the command line or in its config (`-url`, `-user`, `-password`,
or `flyway.url` … in `flyway.conf`/`flyway.toml`); it does not read `DATABASE_URL`. Set
`[migrations] apply` to e.g. `flyway -url=jdbc:postgresql://… migrate` where the config doesn't
already point at the worktree's database. The table is found through the `search_path`, like
Flyway's default schema.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from psycopg import sql

from wttui.core.models import MigrationState
from wttui.errors import Refused
from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    Connection,
    LocalMigration,
    table_exists,
)
from wttui.migrations.resolution import Resolution, ResolveRequest

TABLE = "flyway_schema_history"
_VERSIONED = re.compile(r"V(?P<version>\d+(?:[._]\d+)*)__(?P<description>.*)\.sql")
_MARKERS = {"SCHEMA", "BASELINE"}


def flyway_checksum(data: bytes) -> int:
    """Flyway's CRC32: every line without its terminator, concatenated — i.e. the text without
    any `\\r` or `\\n` — as UTF-8, first-line BOM removed, as a signed 32-bit int."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    value = zlib.crc32(text.replace("\r", "").replace("\n", "").encode())
    return value - (1 << 32) if value >= 1 << 31 else value


def _parts(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


class FlywayAdapter(Adapter):
    name = "flyway"
    default_dir = "db/migration"
    markers = ("flyway.conf", "flyway.toml", "conf/flyway.conf", "db/migration")
    apply = ("flyway", "migrate")
    out_of_order = "`flyway migrate` ignores it unless -outOfOrder=true"
    out_of_order_fix = (
        "run `flyway migrate -outOfOrder=true` (set [migrations] apply), or give it a version "
        "above the newest applied one"
    )
    state_table = "flyway_schema_history"
    naming = r"^V\d+([._]\d+)*__[A-Za-z0-9]+(_[A-Za-z0-9]+)*$"
    """What the tool does with a pending migration older than the newest applied one."""
    rollback = None

    def detect(self, root: Path) -> bool:
        return (
            (root / "flyway.conf").is_file()
            or (root / "flyway.toml").is_file()
            or (root / "conf" / "flyway.conf").is_file()
            or any((root / "db" / "migration").glob("V*__*.sql"))
        )

    def local(self, folder: Path) -> list[LocalMigration]:
        """Versioned scripts anywhere under `folder` (Flyway scans locations recursively)."""
        if not folder.is_dir():
            return []
        found = []
        for path in folder.rglob("V*__*.sql"):
            match = _VERSIONED.fullmatch(path.name)
            if match is None or not path.is_file():
                continue
            version = match["version"].replace("_", ".")
            description = match["description"].replace("_", " ")
            checksum = str(flyway_checksum(path.read_bytes()))
            found.append(LocalMigration(version, description, path, checksum))
        return sorted(found, key=lambda m: (_parts(m.version), m.version))

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        if not table_exists(conn, TABLE):
            return None
        rows = conn.execute(
            sql.SQL(
                "SELECT version, description, type, checksum, installed_on, success "
                "FROM {} WHERE version IS NOT NULL ORDER BY installed_rank"
            ).format(sql.Identifier(TABLE))
        ).fetchall()
        result: list[AppliedMigration] = []
        for version, description, kind, checksum, installed_on, success in rows:
            if kind in _MARKERS:
                continue
            if kind == "DELETE":
                result = [entry for entry in result if entry.version != version]
                continue
            if not success:
                state = MigrationState.FAILED
            elif str(kind).startswith("UNDO"):
                state = MigrationState.ROLLED_BACK
            else:
                state = MigrationState.APPLIED
            result.append(
                AppliedMigration(
                    version=str(version),
                    name=str(description),
                    state=state,
                    checksum=None if checksum is None else str(checksum),
                    applied_at=installed_on,
                    error=(
                        "Flyway recorded this migration as failed (success = false): restore "
                        "the changes it made, then run flyway repair"
                        if state is MigrationState.FAILED
                        else None
                    ),
                )
            )
        return result

    def resolve(self, request: ResolveRequest) -> Resolution:
        """`flyway repair`, the one command Flyway (community) has for it: it deletes the
        failed rows and realigns the applied rows' checksums to the files. It marks nothing
        applied, and nothing but a failed migration rolled back."""
        name = request.name
        if request.applied:
            raise Refused(
                f"Flyway has no command that marks {name} applied without running it "
                "(`repair` only removes failed rows)",
                hint="run it with `wttui migrate`, or baseline the database with `flyway baseline`",
            )
        if request.status.state is not MigrationState.FAILED:
            raise Refused(
                f"Flyway marks only a failed migration rolled back (`flyway repair`), and {name} "
                "did not fail",
                hint="undo is in Flyway's paid editions; write a new migration that undoes it",
            )
        return Resolution(
            belief=f"Flyway will forget the failed {name} (pending again, `migrate` runs it) and "
            "take the checksums of the applied migrations from the files here",
            command=("flyway", "repair"),
        )
