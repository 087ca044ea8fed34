"""A migration's SQL as PostgreSQL sees it: statements with their lines, which of them control
transactions or cannot run inside one, and where in the file an error happened.

The built-in runner runs a file statement by statement (so a runtime error names the statement
that failed, not the first line of the up part) and must know before it starts whether the file
can run inside wttui's transaction: a file with its own `BEGIN`/`COMMIT`, or a statement such as
`CREATE INDEX CONCURRENTLY` that PostgreSQL refuses inside a transaction block, runs without
one (see `tools/sql.py`). Splitting and classifying use PostgreSQL's own parser (pglast), so
semicolons inside strings, dollar-quoted bodies and `BEGIN ATOMIC … END` are never cut; a file
the parser rejects is split by its scanner instead, and the bad statement fails on the server
with the server's message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_LEADING = re.compile(r"\A(?:\s+|;|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)
_INLINE = re.compile(r"PL/pgSQL function inline_code_block line (?P<line>\d+)")
_FUNCTION = re.compile(r"PL/pgSQL function (?P<function>\S+\(.*?\)) line (?P<line>\d+)")
_BEGINS = {0: "BEGIN", 1: "START TRANSACTION"}
_ENDS = {2: "COMMIT", 3: "ROLLBACK", 7: "PREPARE TRANSACTION"}
_PREPARED = {8: "COMMIT PREPARED", 9: "ROLLBACK PREPARED"}


@dataclass(frozen=True)
class Statement:
    """One statement of a migration's SQL."""

    text: str
    """Without its terminating semicolon."""
    start: int
    """Character offset of its first token in the SQL it came from."""
    line: int
    """1-based line of its first token in that SQL."""
    control: str | None = None
    """`BEGIN`, `COMMIT`, `ROLLBACK`, …: it starts or ends a transaction itself."""
    outside: str | None = None
    """Why PostgreSQL refuses it inside a transaction block (`CREATE INDEX CONCURRENTLY`)."""

    @property
    def begins(self) -> bool:
        return self.control in _BEGINS.values()

    def line_at(self, position: int | None) -> int:
        """The line of 1-based character `position` of this statement (the server's
        `statement_position`); its first line without one."""
        if not position or position < 1:
            return self.line
        return self.line + self.text[: position - 1].count("\n")


def split(sql_text: str) -> list[Statement]:
    """The statements of `sql_text` in order, each classified; empty ones are dropped."""
    from pglast import parser

    try:
        slices = list(parser.split(sql_text, with_parser=True, only_slices=True))
    except parser.ParseError:
        slices = _scanned(sql_text)
    found = []
    for piece in slices:
        raw = sql_text[piece]
        skipped = _LEADING.match(raw)
        offset = skipped.end() if skipped else 0
        text = raw[offset:].rstrip().removesuffix(";").rstrip()
        if not text:
            continue
        start = (piece.start or 0) + offset
        control, outside = _classify(text)
        line = sql_text.count("\n", 0, start) + 1
        found.append(Statement(text, start, line, control, outside))
    return found


def _scanned(sql_text: str) -> list[slice]:
    """Statements as the scanner alone finds them, for SQL the parser rejects. The scanner
    skips a statement that starts with no keyword (`SELEC 1`): the text between its slices
    becomes statements too, so nothing is left out (the server then names the error)."""
    from pglast import parser

    try:
        found = list(parser.split(sql_text, with_parser=False, only_slices=True))
    except parser.ParseError:
        return [slice(0, len(sql_text))]
    pieces: list[slice] = []
    end = 0
    for piece in [*found, slice(len(sql_text), len(sql_text))]:
        start = piece.start or 0
        if sql_text[end:start].strip(" \t\r\n;"):
            pieces.append(slice(end, start))
        if piece.stop != piece.start:
            pieces.append(piece)
        end = piece.stop or 0
    return pieces


def _classify(text: str) -> tuple[str | None, str | None]:
    """(transaction control, reason it cannot run in a transaction) of one statement."""
    from pglast import ast, parse_sql

    try:
        (raw,) = parse_sql(text)
    except Exception:  # noqa: BLE001 - pglast raises several types; the server will say
        return None, None
    node = raw.stmt
    if isinstance(node, ast.TransactionStmt):
        kind = int(node.kind or 0)
        if kind in _PREPARED:
            return None, _PREPARED[kind]
        return _BEGINS.get(kind) or _ENDS.get(kind), None
    return None, _outside(node)


def _outside(node: object) -> str | None:
    from pglast import ast

    if isinstance(node, ast.IndexStmt) and node.concurrent:
        return "CREATE INDEX CONCURRENTLY"
    if isinstance(node, ast.DropStmt) and node.concurrent:
        return "DROP INDEX CONCURRENTLY"
    if isinstance(node, ast.ReindexStmt):
        options = {str(getattr(p, "defname", "")).lower() for p in node.params or ()}
        if "concurrently" in options:
            return "REINDEX CONCURRENTLY"
        if int(node.kind or 0) >= 2:  # REINDEX SCHEMA / SYSTEM / DATABASE
            return "REINDEX SCHEMA/SYSTEM/DATABASE"
    if isinstance(node, ast.VacuumStmt) and node.is_vacuumcmd:
        return "VACUUM"
    if isinstance(node, ast.AlterTableStmt):
        for command in node.cmds or ():
            partition = getattr(command, "def_", None)
            if isinstance(partition, ast.PartitionCmd) and partition.concurrent:
                return "DETACH PARTITION CONCURRENTLY"
    named = {
        ast.CreatedbStmt: "CREATE DATABASE",
        ast.DropdbStmt: "DROP DATABASE",
        ast.AlterSystemStmt: "ALTER SYSTEM",
        ast.CreateTableSpaceStmt: "CREATE TABLESPACE",
        ast.DropTableSpaceStmt: "DROP TABLESPACE",
        ast.CreateSubscriptionStmt: "CREATE SUBSCRIPTION",
        ast.DropSubscriptionStmt: "DROP SUBSCRIPTION",
    }
    for kind, words in named.items():
        if isinstance(node, kind):
            return words
    if isinstance(node, ast.ClusterStmt) and node.relation is None:
        return "CLUSTER (every table)"
    return None


def needs_own_transactions(statements: Sequence[Statement]) -> Statement | None:
    """The first statement that controls transactions or cannot run inside one; None: the
    whole file can run inside one transaction."""
    return next((s for s in statements if s.control or s.outside), None)


def plpgsql_line(statement: Statement, context: str | None) -> int | None:
    """The file line of a PL/pgSQL error inside the `DO` block `statement` is: the server
    counts the block's lines from its opening quote. None when the error was not raised by
    the statement's own block. (Errors in a function's body as it is created come with a
    `statement_position`, which `Statement.line_at` maps.)"""
    inline = list(_INLINE.finditer(context or ""))
    if not inline:
        return None
    body = re.search(r"\$[A-Za-z_]*\$", statement.text) or re.search("'", statement.text)
    if body is None:
        return None
    line = int(inline[-1]["line"])  # the DO block is the outermost frame: the last one
    return statement.line + statement.text[: body.start()].count("\n") + line - 1


def called_function(context: str | None) -> str | None:
    """`g() line 3`: the innermost PL/pgSQL function (not a `DO` block) the error came from,
    whose body lives in whichever migration created it."""
    match = _FUNCTION.search(context or "")
    return f"{match['function']} line {match['line']}" if match else None
