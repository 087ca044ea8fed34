"""wttui's built-in runner for a folder of plain SQL migrations, as an adapter whose executor
runs in-process.

The folder's layouts are `sql_files.py`'s (`VERSION_name.sql` with `-- migrate:up/down`
sections, or `.up.sql`/`.down.sql` pairs). State lives in one tracking table per database
(`wttui_schema_migrations` by default, `[migrations] table`): the version, name and checksum of
each migration, when it was applied, and the worktree, branch and commit that applied it, so a
database shared by several worktrees can say who owns what. A failed attempt is recorded too
(status `failed`, with the error and its file:line).

Each migration runs in its own transaction together with its tracking row, under a
transaction-level advisory lock, so a failure leaves nothing half applied and two worktrees
migrating one database at once apply each migration once. The runner refuses to migrate while
an applied file was edited (`refuse_modified`), since the edit would never run.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import MigrationState
from wttui.errors import Cancelled, MigrationFailed
from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    ApplyContext,
    Connection,
    Executor,
    LocalMigration,
    version_key,
)
from wttui.migrations.sql_files import SqlMigration, read_folder
from wttui.providers.postgres import PostgresProvider

DEFAULT_TABLE = "wttui_schema_migrations"

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


class SqlAdapter(Adapter):
    """The fallback: never detected, in force when no tool's markers are in the worktree (or
    with `[migrations] tool = "sql"`)."""

    name = "sql"
    default_dir = "migrations"
    out_of_order = "wttui's runner applies it with the others"
    records_owners = False  # its tracking table records who applied what
    refuse_modified = True
    down_part = "-- migrate:down section or .down.sql file"

    def __init__(self, table: str = DEFAULT_TABLE) -> None:
        self.table = table

    @classmethod
    def configured(cls, *, table: str) -> SqlAdapter:
        return cls(table or DEFAULT_TABLE)

    def detect(self, root: Path) -> bool:
        del root
        return False

    def local(self, folder: Path) -> list[LocalMigration]:
        """Raises:
        MigrationFileError: a malformed file (see `sql_files.read_folder`)."""
        found: list[LocalMigration] = [*read_folder(folder)]
        return found

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        ident = sql.Identifier(self.table)
        found = conn.execute("SELECT to_regclass(%s)", (ident.as_string(conn),)).fetchone()
        if found is None or found[0] is None:
            return None
        query = sql.SQL(
            "SELECT version, name, checksum, status, error, applied_at, "
            "coalesce(applied_by_branch, applied_by_worktree) FROM {}"
        ).format(ident)
        rows = conn.execute(query).fetchall()
        return [
            AppliedMigration(
                version=str(version),
                name=str(name),
                state=MigrationState.FAILED if status == "failed" else MigrationState.APPLIED,
                checksum=str(checksum),
                applied_at=applied_at,
                error=error,
                applied_by=applied_by,
            )
            for version, name, checksum, status, error, applied_at, applied_by in sorted(
                rows, key=lambda row: version_key(str(row[0]))
            )
        ]

    def executor(self, folder: Path) -> Executor:
        """In-process: `[migrations] apply/rollback` are for tools with a CLI."""
        del folder
        return SqlExecutor(self.table)

    def adopt(self, conn: Connection, context: ApplyContext) -> None:
        """The runner's table names who applied each row: a clone's rows become `context`'s."""
        ident = sql.Identifier(self.table)
        found = conn.execute("SELECT to_regclass(%s)", (ident.as_string(conn),)).fetchone()
        if found is None or found[0] is None:
            return
        conn.execute(
            sql.SQL(
                "UPDATE {} SET applied_by_worktree = %s, applied_by_branch = %s, "
                "applied_by_commit = %s"
            ).format(ident),
            (context.worktree, context.branch, context.commit),
        )


class SqlExecutor(Executor):
    """Runs the files in transactions and keeps the tracking table."""

    def __init__(self, table: str) -> None:
        self.table = table
        self._ident = sql.Identifier(table)
        # One advisory lock key per tracking table: runners of other tables don't wait.
        self._lock_key = zlib.crc32(f"wttui:{table}".encode())

    @property
    def can_revert(self) -> bool:
        return True

    @contextmanager
    def _connect(self, conninfo: str) -> Iterator[Connection]:
        with PostgresProvider(conninfo).connect(autocommit=True) as conn:
            yield conn

    def _lock(self, conn: Connection) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))

    def apply(
        self,
        conninfo: str,
        pending: Sequence[LocalMigration],
        *,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> tuple[str, ...]:
        done: list[str] = []
        if not pending:
            return ()
        with self._connect(conninfo) as conn:
            with conn.transaction():
                self._lock(conn)
                conn.execute(sql.SQL(_DDL).format(table=self._ident))
            for migration in pending:
                cancel.check()
                if not isinstance(migration, SqlMigration):  # only ever this adapter's local()
                    raise TypeError(f"not an SQL migration: {migration!r}")
                if self._apply_one(conn, migration, context, sink, cancel):
                    done.append(migration.version)
        return tuple(done)

    def _apply_one(
        self,
        conn: Connection,
        migration: SqlMigration,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> bool:
        started = time.monotonic()
        unregister = cancel.on_cancel(conn.cancel_safe)
        try:
            with conn.transaction():
                self._lock(conn)
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
            with conn.transaction():
                self._record(conn, migration, context, status="failed", error=f"{where}: {message}")
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
        conn: Connection,
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

    def revert(
        self,
        conninfo: str,
        migration: LocalMigration,
        *,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> None:
        """Its down part and the deletion of its row, in one transaction (who reverted it is
        in the log)."""
        del context
        if not isinstance(migration, SqlMigration) or migration.down_sql is None:
            raise MigrationFailed(f"{migration.file.name} has no down part")  # checked before
        with self._connect(conninfo) as conn:
            unregister = cancel.on_cancel(conn.cancel_safe)
            try:
                with conn.transaction():
                    self._lock(conn)
                    conn.execute(migration.down_sql)
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


def _position(exc: psycopg.Error) -> int | None:
    raw = exc.diag.statement_position
    return int(raw) if raw and raw.isdigit() else None
