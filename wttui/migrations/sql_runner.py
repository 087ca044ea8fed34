"""wttui's built-in runner for a folder of plain SQL migrations (F31).

State lives in one tracking table per database (`wttui_schema_migrations` by default): the
version, name and checksum of each migration, when it was applied, and the worktree, branch and
commit that applied it, so a database shared by several worktrees can say who owns what. A
failed attempt is recorded too (status `failed`, with the error and its file:line).

Each migration runs in its own transaction together with its tracking row, under a
transaction-level advisory lock, so a failure leaves nothing half applied and two worktrees
migrating one database at once apply each migration once.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import MigrationState, MigrationStatus
from wttui.errors import Cancelled, MigrationFailed, Refused
from wttui.migrations.adapter import version_key
from wttui.migrations.base import ApplyContext
from wttui.migrations.sql_files import SqlMigration, read_folder
from wttui.providers.postgres import PostgresProvider

_DDL = """
CREATE TABLE IF NOT EXISTS {table} (
    version             text PRIMARY KEY,
    name                text NOT NULL,
    checksum            text NOT NULL,
    status              text NOT NULL DEFAULT 'applied',
    error               text,
    applied_at          timestamptz NOT NULL DEFAULT now(),
    applied_by_worktree text,
    applied_by_branch   text,
    applied_by_commit   text
)
"""
_UPSERT = """
INSERT INTO {table} (version, name, checksum, status, error, applied_at,
                     applied_by_worktree, applied_by_branch, applied_by_commit)
VALUES (%s, %s, %s, %s, %s, now(), %s, %s, %s)
ON CONFLICT (version) DO UPDATE SET
    name = EXCLUDED.name, checksum = EXCLUDED.checksum, status = EXCLUDED.status,
    error = EXCLUDED.error, applied_at = EXCLUDED.applied_at,
    applied_by_worktree = EXCLUDED.applied_by_worktree,
    applied_by_branch = EXCLUDED.applied_by_branch,
    applied_by_commit = EXCLUDED.applied_by_commit
"""


@dataclass(frozen=True)
class _Row:
    version: str
    name: str
    checksum: str
    status: str
    error: str | None
    applied_at: datetime
    applied_by: str | None


class SqlMigrationTool:
    """The built-in runner bound to one worktree's migration folder."""

    name = "sql"
    can_rollback = True

    def __init__(self, folder: Path, *, table: str = "wttui_schema_migrations") -> None:
        self.folder = folder
        self.table = table
        self._ident = sql.Identifier(table)
        # One advisory lock key per tracking table: runners of other tables don't wait.
        self._lock_key = zlib.crc32(f"wttui:{table}".encode())

    def watch_paths(self) -> list[Path]:
        return [self.folder]

    def local(self) -> list[SqlMigration]:
        """This worktree's migrations, sorted by version."""
        return read_folder(self.folder)

    # -- database side -----------------------------------------------------------------------

    @contextmanager
    def _connect(self, conninfo: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
        with PostgresProvider(conninfo).connect(autocommit=True) as conn:
            yield conn

    def _rows(self, conn: psycopg.Connection[tuple[Any, ...]]) -> dict[str, _Row] | None:
        found = conn.execute("SELECT to_regclass(%s)", (self.table,)).fetchone()
        if found is None or found[0] is None:
            return None
        query = sql.SQL(
            "SELECT version, name, checksum, status, error, applied_at, "
            "coalesce(applied_by_branch, applied_by_worktree) FROM {}"
        ).format(self._ident)
        return {row[0]: _Row(*row) for row in conn.execute(query).fetchall()}

    def _ensure_table(self, conn: psycopg.Connection[tuple[Any, ...]]) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
            conn.execute(sql.SQL(_DDL).format(table=self._ident))

    # -- status ------------------------------------------------------------------------------

    def status(self, conninfo: str) -> tuple[MigrationStatus, ...]:
        local = {m.version: m for m in self.local()}
        with self._connect(conninfo) as conn:
            rows = self._rows(conn) or {}
        return _merge(local, rows)

    # -- apply -------------------------------------------------------------------------------

    def apply(
        self, conninfo: str, *, context: ApplyContext, sink: LogSink, cancel: CancelToken
    ) -> int:
        local = self.local()
        with self._connect(conninfo) as conn:
            self._ensure_table(conn)
            rows = self._rows(conn) or {}
            modified = [
                m.filename
                for m in local
                if m.version in rows
                and rows[m.version].status == "applied"
                and rows[m.version].checksum != m.checksum
            ]
            if modified:
                raise Refused(
                    f"{', '.join(modified)} changed after it was applied; refusing to migrate",
                    hint="restore the file, or add a new migration for the change",
                )
            pending = [
                m for m in local if m.version not in rows or rows[m.version].status != "applied"
            ]
            applied = 0
            for migration in pending:
                cancel.check()
                if self._apply_one(conn, migration, context, sink, cancel):
                    applied += 1
            return applied

    def _apply_one(
        self,
        conn: psycopg.Connection[tuple[Any, ...]],
        migration: SqlMigration,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> bool:
        started = time.monotonic()
        unregister = cancel.on_cancel(conn.cancel_safe)
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
                done = conn.execute(
                    sql.SQL("SELECT status FROM {} WHERE version = %s").format(self._ident),
                    (migration.version,),
                ).fetchone()
                if done is not None and done[0] == "applied":
                    sink.line(f"{migration.filename} was applied meanwhile by another run")
                    return False
                conn.execute(migration.up_sql)  # no parameters: multi-statement files work
                self._record(conn, migration, context, status="applied", error=None)
        except psycopg.errors.QueryCanceled:
            if cancel.cancelled:
                sink.line(f"{migration.filename} cancelled and rolled back", stream="warn")
                raise Cancelled(f"Cancelled while applying {migration.filename}") from None
            raise
        except psycopg.Error as exc:
            line = migration.line_of(_position(exc))
            message = (exc.diag.message_primary or str(exc)).strip()
            where = f"{migration.filename}:{line}"
            sink.line(f"Applying {migration.filename} … failed", stream="err")
            sink.line(f"{where}: {message}", stream="err")
            error = f"{where}: {message}"
            with conn.transaction():
                self._record(conn, migration, context, status="failed", error=error)
            raise MigrationFailed(
                f"Migration {where} failed: {message}",
                hint="its transaction was rolled back; fix the file and migrate again",
            ) from None
        finally:
            unregister()
        elapsed = (time.monotonic() - started) * 1000
        sink.line(f"Applying {migration.filename} … ok ({elapsed:.0f} ms)")
        return True

    def _record(
        self,
        conn: psycopg.Connection[tuple[Any, ...]],
        migration: SqlMigration,
        context: ApplyContext,
        *,
        status: str,
        error: str | None,
    ) -> None:
        conn.execute(
            sql.SQL(_UPSERT).format(table=self._ident),
            (
                migration.version,
                migration.name,
                migration.checksum,
                status,
                error,
                context.worktree,
                context.branch,
                context.commit,
            ),
        )

    # -- rollback ----------------------------------------------------------------------------

    def rollback(
        self,
        conninfo: str,
        *,
        steps: int,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> int:
        local = {m.version: m for m in self.local()}
        with self._connect(conninfo) as conn:
            rows = self._rows(conn) or {}
            applied = sorted(
                (row for row in rows.values() if row.status == "applied"),
                key=lambda row: version_key(row.version),
                reverse=True,
            )[:steps]
            if not applied:
                sink.line("Nothing to roll back")
                return 0
            targets = []
            for row in applied:  # check every one before reverting any
                migration = local.get(row.version)
                if migration is None:
                    who = f" by {row.applied_by}" if row.applied_by else ""
                    raise Refused(
                        f"The newest applied migration {row.version}_{row.name} was applied"
                        f"{who} and is not in this worktree; rolling back here would revert "
                        "a different migration than you expect",
                        hint=f"roll it back from {row.applied_by or 'the worktree that has it'}",
                    )
                if migration.down_sql is None:
                    raise Refused(f"{migration.filename} has no -- migrate:down section")
                targets.append(migration)
            for migration in targets:
                cancel.check()
                unregister = cancel.on_cancel(conn.cancel_safe)
                try:
                    with conn.transaction():
                        conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
                        conn.execute(migration.down_sql or "")
                        conn.execute(
                            sql.SQL("DELETE FROM {} WHERE version = %s").format(self._ident),
                            (migration.version,),
                        )
                except psycopg.errors.QueryCanceled:
                    raise Cancelled(f"Cancelled while rolling back {migration.filename}") from None
                except psycopg.Error as exc:
                    message = (exc.diag.message_primary or str(exc)).strip()
                    raise MigrationFailed(
                        f"Rolling back {migration.filename} failed: {message}",
                        hint="its transaction was rolled back; nothing changed",
                    ) from None
                finally:
                    unregister()
                sink.line(f"Rolled back {migration.filename}")
            del context  # rollbacks delete the row; who reverted is in the log
            return len(targets)


def _position(exc: psycopg.Error) -> int | None:
    raw = exc.diag.statement_position
    return int(raw) if raw and raw.isdigit() else None


def _merge(local: dict[str, SqlMigration], rows: dict[str, _Row]) -> tuple[MigrationStatus, ...]:
    statuses = []
    newest = max(
        (version_key(v) for v, row in rows.items() if row.status == "applied"), default=None
    )
    for version in sorted(set(local) | set(rows), key=version_key):
        migration, row = local.get(version), rows.get(version)
        if migration is not None and row is None:
            state = MigrationState.PENDING
        elif row is not None and row.status == "failed":
            state = MigrationState.FAILED
        elif migration is None:
            state = MigrationState.APPLIED_ELSEWHERE
        elif row is not None and row.checksum != migration.checksum:
            state = MigrationState.MODIFIED
        else:
            state = MigrationState.APPLIED
        recorded = row is not None and state is not MigrationState.PENDING
        statuses.append(
            MigrationStatus(
                version=version,
                name=migration.name if migration else row.name if row else "",
                state=state,
                file=migration.path if migration else None,
                applied_at=row.applied_at if recorded and row else None,
                applied_by=row.applied_by if recorded and row else None,
                error=row.error if row is not None and state is MigrationState.FAILED else None,
                has_down=bool(migration and migration.down_sql),
                out_of_order=state is MigrationState.PENDING
                and newest is not None
                and version_key(version) < newest,
                note="wttui's runner applies it with the others",
            )
        )
    return tuple(statuses)
