"""Running a migration's statements on one connection, one at a time, and telling the truth
about what happened: which statement failed (its file line), and — for a file run without
wttui's transaction — what was committed and what was rolled back.

Two ways (the built-in runner picks one per file, `tools/sql.py`):

- `run_in_transaction`: every statement inside the caller's transaction; a failure leaves
  nothing (the caller's transaction rolls back).
- `run_outside`: the statements as the file says, in autocommit: each statement commits on its
  own unless the file opened a transaction with `BEGIN`, whose statements commit at its
  `COMMIT`. After a failure (or a cancel) a transaction the file left open is rolled back, and
  the `Outcome` says which statements were committed before it — so the log never claims a
  rollback that did not happen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import pq

from wttui.core.logsink import CancelToken
from wttui.migrations.adapter import Connection
from wttui.migrations.statements import Statement, called_function, plpgsql_line

_IDLE = pq.TransactionStatus.IDLE


@dataclass(frozen=True)
class Failure:
    """Where and why a statement failed, in the file's own terms."""

    file: Path
    line: int
    message: str

    @property
    def where(self) -> str:
        return f"{self.file.name}:{self.line}"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    @property
    def sentence(self) -> str:
        """`002_x.sql failed at line 3: relation "t" does not exist`: how an error says it
        (`str()`, `002_x.sql:3: …`, is the log's editor-friendly line)."""
        return f"{self.file.name} failed at line {self.line}: {self.message}"


def failure(
    exc: psycopg.Error, statement: Statement | None, *, file: Path, first_line: int
) -> Failure:
    """`exc` mapped to the file: the failing statement's line, moved to the server's position
    in it (a syntax or name error), or to the line of a `DO` block's body that raised it; an
    error from a function the statement called names that function and its line."""
    message = (exc.diag.message_primary or str(exc)).strip()
    if statement is None:
        return Failure(file, first_line, message)
    context = exc.diag.context
    line = plpgsql_line(statement, context)
    if line is None:
        line = statement.line_at(_position(exc))
        function = called_function(context)
        if function:
            message += f" (in function {function})"
    return Failure(file, first_line - 1 + line, message)


def _position(exc: psycopg.Error) -> int | None:
    raw = exc.diag.statement_position
    return int(raw) if raw and raw.isdigit() else None


def run_in_transaction(
    conn: Connection, statements: Sequence[Statement], cancel: CancelToken
) -> None:
    """Run `statements` in the caller's open transaction.

    Raises:
        StatementError: one failed (the caller's transaction is to be rolled back).
    """
    for statement in statements:
        if cancel.cancelled:
            raise StatementError(statement, None, cancelled=True)
        try:
            conn.execute(statement.text)  # no parameters: sent as written, `%` and all
        except psycopg.Error as exc:
            cancelled = isinstance(exc, psycopg.errors.QueryCanceled) and cancel.cancelled
            raise StatementError(statement, exc, cancelled=cancelled) from None


class StatementError(Exception):
    """A statement of a migration failed (or was cancelled) inside wttui's transaction."""

    def __init__(
        self, statement: Statement, error: psycopg.Error | None, *, cancelled: bool
    ) -> None:
        super().__init__(statement.text)
        self.statement = statement
        self.error = error
        self.cancelled = cancelled


@dataclass(frozen=True)
class Outcome:
    """How a run without wttui's transaction ended."""

    failed_at: Statement | None = None
    """The statement that failed or was cancelled; None: every statement ran."""
    error: psycopg.Error | None = None
    cancelled: bool = False
    committed: Statement | None = None
    """The last statement whose effects were committed (a statement of its own, or the
    `COMMIT` of the file's transaction); None: nothing was committed."""
    rolled_back: Statement | None = None
    """The statement that opened the file's transaction which wttui rolled back (after a
    failure inside it, or because the file ended without its `COMMIT`)."""

    @property
    def ok(self) -> bool:
        return self.failed_at is None and self.rolled_back is None


def run_outside(conn: Connection, statements: Sequence[Statement], cancel: CancelToken) -> Outcome:
    """Run `statements` in autocommit as the file controls its transactions, stopping at the
    first failure; a transaction the file left open is then rolled back."""
    committed: Statement | None = None
    opened: Statement | None = None
    failed_at: Statement | None = None
    error: psycopg.Error | None = None
    cancelled = False
    unregister = cancel.on_cancel(conn.cancel_safe)
    try:
        for statement in statements:
            if cancel.cancelled:
                failed_at, cancelled = statement, True
                break
            try:
                conn.execute(statement.text)
            except psycopg.Error as exc:
                failed_at, error = statement, exc
                cancelled = isinstance(exc, psycopg.errors.QueryCanceled) and cancel.cancelled
                break
            if conn.info.transaction_status == _IDLE:
                if statement.control != "ROLLBACK":
                    committed = statement  # on its own, or the COMMIT ending the file's block
                opened = None
            elif opened is None:
                opened = statement
    finally:
        unregister()
    rolled_back = None
    if conn.info.transaction_status != _IDLE:
        conn.execute("ROLLBACK")
        rolled_back = opened
    return Outcome(failed_at, error, cancelled, committed, rolled_back)


def last_line(statement: Statement) -> int:
    """The line a statement ends on (relative to the SQL it came from, like `line`)."""
    return statement.line + statement.text.count("\n")
