"""The built-in runner's executor: applies and rolls back a folder's SQL migrations in-process,
keeping the tracking table (`sql_tracking.py`) true.

A migration runs one of two ways, decided from its SQL before anything runs:

- **In wttui's transaction** (most files): its statements and its `applied` row commit together,
  or nothing does. A failure is recorded `failed`, and the log says the transaction was rolled
  back — which is then true.
- **Without it**, when the file controls transactions itself (`BEGIN`/`COMMIT`/`ROLLBACK`), holds
  a statement PostgreSQL refuses inside a transaction block (`CREATE INDEX CONCURRENTLY`, …), or
  says `-- migrate:up transaction:false` (dbmate's option). Then, like dbmate's
  `transaction:false` and Flyway's non-transactional migrations, a `started` row is committed
  first, the statements run as the file says, and the row becomes `applied` at the end. A crash
  leaves `started`: the next migrate stops and says so instead of applying the file a second
  time. A failure says exactly which lines were committed (and stay) and which transaction was
  rolled back; with something committed the row is `partial` and migrate again refuses until
  `wttui resolve` marks it.

Statements run one at a time, so an error names the statement's own file line (and the line
in a `DO` block, or the function it came from). The run as a whole is serialised with every
other run on the database by the runner's migration lock (`lock.py`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from wttui.core.logsink import CancelToken, LogSink
from wttui.errors import Cancelled, MigrationFailed, Refused
from wttui.migrations import sql_tracking as tracking
from wttui.migrations.adapter import ApplyContext, Connection, Executor, LocalMigration
from wttui.migrations.sql_files import SqlMigration
from wttui.migrations.sql_run import (
    Failure,
    Outcome,
    StatementError,
    failure,
    last_line,
    run_in_transaction,
    run_outside,
)
from wttui.migrations.statements import Statement, needs_own_transactions, split
from wttui.providers.postgres import PostgresProvider


class SqlExecutor(Executor):
    """Runs the files and keeps the tracking table."""

    def __init__(self, table: str) -> None:
        self.table = table

    @property
    def can_revert(self) -> bool:
        return True

    @contextmanager
    def _connect(self, conninfo: str) -> Iterator[Connection]:
        with PostgresProvider(conninfo).connect(autocommit=True) as conn:
            yield conn

    # -- apply -------------------------------------------------------------------------------

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
            tracking.create(conn, self.table)
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
        sink.line(f"Applying {migration.filename} …")  # said first: a long one shows what runs
        statements = split(migration.up_sql)
        own = needs_own_transactions(statements)
        if own is not None or not migration.up_transaction:
            reason = (
                f"line {migration.up_start_line - 1 + own.line}: {own.control or own.outside}"
                if own is not None
                else "-- migrate:up transaction:false"
            )
            if not self._claim(conn, migration, context, sink):
                return False
            sink.line(
                f"{migration.filename} runs without wttui's transaction ({reason}); a "
                "'started' row is committed first, so an interrupted run is never applied twice"
            )
            outcome = run_outside(conn, statements, cancel)
            self._finish_outside(conn, migration, outcome, context, sink)
        else:
            self._apply_in_transaction(conn, migration, statements, context, sink, cancel)
        elapsed = (time.monotonic() - started) * 1000
        sink.line(f"Applied {migration.filename} in {elapsed:.0f} ms")
        return True

    def _record(
        self,
        conn: Connection,
        migration: SqlMigration,
        context: ApplyContext,
        status: str,
        error: str | None = None,
    ) -> None:
        tracking.record(
            conn,
            self.table,
            version=migration.version,
            name=migration.name,
            checksum=migration.checksum or "",
            status=status,
            error=error,
            context=context,
        )

    def _apply_in_transaction(
        self,
        conn: Connection,
        migration: SqlMigration,
        statements: Sequence[Statement],
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> None:
        unregister = cancel.on_cancel(conn.cancel_safe)
        try:
            with conn.transaction():
                run_in_transaction(conn, statements, cancel)
                self._record(conn, migration, context, tracking.APPLIED)
        except StatementError as stopped:
            if stopped.cancelled or stopped.error is None:
                sink.line(f"{migration.filename} cancelled and rolled back", stream="warn")
                raise Cancelled(f"Cancelled while applying {migration.filename}") from None
            found = failure(
                stopped.error,
                stopped.statement,
                file=migration.file,
                first_line=migration.up_start_line,
            )
            sink.line(f"{migration.filename} failed", stream="err")
            sink.line(str(found), stream="err")
            with conn.transaction():
                self._record(conn, migration, context, tracking.FAILED, str(found))
            raise MigrationFailed(
                f"Migration {found.sentence}",
                hint="its transaction was rolled back: nothing of it is in the database; fix "
                "the file and migrate again",
            ) from None
        finally:
            unregister()

    def _claim(
        self, conn: Connection, migration: SqlMigration, context: ApplyContext, sink: LogSink
    ) -> bool:
        """The `started` row, committed before the first statement; False when the migration
        was applied meanwhile."""
        with conn.transaction():
            status = tracking.status_of(conn, self.table, migration.version, lock=True)
            if status == tracking.APPLIED:
                sink.line(f"{migration.filename} was applied meanwhile by another run")
                return False
            if status in tracking.UNFINISHED:  # the runner refuses before: a guard
                raise Refused(f"{migration.filename} did not finish an earlier run")
            self._record(conn, migration, context, tracking.STARTED)
        return True

    def _finish_outside(
        self,
        conn: Connection,
        migration: SqlMigration,
        outcome: Outcome,
        context: ApplyContext,
        sink: LogSink,
    ) -> None:
        if outcome.ok:
            self._record(conn, migration, context, tracking.APPLIED)
            return
        found = self._failure(migration.file, migration.up_start_line, outcome)
        truth = _truth(outcome, migration.up_start_line)
        if outcome.cancelled and outcome.committed is None:
            tracking.delete(conn, self.table, migration.version)  # pending again, as it was
            sink.line(f"{migration.filename} cancelled: {truth}", stream="warn")
            raise Cancelled(f"Cancelled while applying {migration.filename}: {truth}")
        status = tracking.PARTIAL if outcome.committed else tracking.FAILED
        self._record(conn, migration, context, status, f"{found}; {truth}")
        sink.line(f"{migration.filename} failed", stream="err")
        sink.line(str(found), stream="err")
        sink.line(truth, stream="err" if outcome.committed else "out")
        if outcome.cancelled:
            raise Cancelled(f"Cancelled while applying {migration.filename}: {truth}")
        if outcome.committed is None:
            hint = "fix the file and migrate again"
        else:
            hint = (
                "finish or undo the rest by hand, then `wttui resolve "
                f"{context.applier} {migration.version} --applied` (or `--rolled-back`)"
            )
        raise MigrationFailed(f"Migration {found.sentence}; {truth}", hint=hint)

    @staticmethod
    def _failure(file: Path, first_line: int, outcome: Outcome) -> Failure:
        if outcome.error is not None:
            return failure(outcome.error, outcome.failed_at, file=file, first_line=first_line)
        if outcome.failed_at is not None:  # cancelled between two statements
            return Failure(file, first_line - 1 + outcome.failed_at.line, "cancelled")
        opened = outcome.rolled_back
        line = first_line - 1 + (opened.line if opened else 1)
        return Failure(file, line, "the file ends inside the transaction it opened here")

    # -- roll back ---------------------------------------------------------------------------

    def revert(
        self,
        conninfo: str,
        migration: LocalMigration,
        *,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> None:
        """Its down part and the deletion of its row: in one transaction, or — for a down part
        that controls transactions itself — after a committed `reverting` mark, as for apply."""
        if not isinstance(migration, SqlMigration) or migration.down_sql is None:
            raise MigrationFailed(f"{migration.file.name} has no down part")  # checked before
        file = migration.down_file or migration.file
        first = migration.down_start_line
        statements = split(migration.down_sql)
        own = needs_own_transactions(statements)
        with self._connect(conninfo) as conn:
            if own is None and migration.down_transaction:
                unregister = cancel.on_cancel(conn.cancel_safe)
                try:
                    with conn.transaction():
                        run_in_transaction(conn, statements, cancel)
                        tracking.delete(conn, self.table, migration.version)
                except StatementError as stopped:
                    if stopped.cancelled or stopped.error is None:
                        raise Cancelled(
                            f"Cancelled while rolling back {migration.filename}"
                        ) from None
                    found = failure(stopped.error, stopped.statement, file=file, first_line=first)
                    raise MigrationFailed(
                        f"Rolling back {migration.filename} failed: {found}",
                        hint="its transaction was rolled back; nothing changed",
                    ) from None
                finally:
                    unregister()
            else:
                tracking.set_status(conn, self.table, migration.version, tracking.REVERTING, None)
                outcome = run_outside(conn, statements, cancel)
                self._finish_revert(conn, migration, file, first, outcome, context)
        sink.line(f"Rolled back {migration.filename}")

    def _finish_revert(
        self,
        conn: Connection,
        migration: SqlMigration,
        file: Path,
        first: int,
        outcome: Outcome,
        context: ApplyContext,
    ) -> None:
        if outcome.ok:
            tracking.delete(conn, self.table, migration.version)
            return
        found = self._failure(file, first, outcome)
        truth = _truth(outcome, first)
        if outcome.committed is None:
            tracking.set_status(conn, self.table, migration.version, tracking.APPLIED, None)
            error: type[Exception] = Cancelled if outcome.cancelled else MigrationFailed
            raise error(f"Rolling back {migration.filename} failed: {found}; {truth}")
        tracking.set_status(
            conn, self.table, migration.version, tracking.PARTIAL, f"roll back: {found}; {truth}"
        )
        raise MigrationFailed(
            f"Rolling back {migration.filename} failed: {found}; {truth}",
            hint="finish or undo the rest by hand, then `wttui resolve "
            f"{context.applier} {migration.version} --rolled-back` (or `--applied`)",
        )


def _truth(outcome: Outcome, first_line: int) -> str:
    """What stays in the database after a run without wttui's transaction stopped."""
    parts = []
    if outcome.committed is not None:
        end = first_line - 1 + last_line(outcome.committed)
        if end == first_line:
            parts.append(f"line {end} was committed and stays in the database")
        else:
            parts.append(f"lines {first_line}–{end} were committed and stay in the database")
    else:
        parts.append("nothing of it was committed")
    if outcome.rolled_back is not None:
        parts.append(
            "the transaction it opened at line "
            f"{first_line - 1 + outcome.rolled_back.line} was rolled back"
        )
    return "; ".join(parts)
