"""The built-in runner's tracking table (`wttui_schema_migrations` by default): its layout, and
every write to it, shared by the executor (apply, roll back) and `resolve`.

One row per migration: version, name, checksum of the up part, status, error, when, and the
worktree, branch and commit that wrote it. Statuses:

- `applied`: it ran to the end (or `wttui resolve --applied` marked it).
- `failed`: it failed and nothing of it stayed (its transaction rolled back, or — run without
  one — nothing had been committed yet). The next migrate runs it again.
- `started`: a run without wttui's transaction began (the row is committed before the file's
  first statement) and has not finished: still running, or it crashed. Part of it may be in the
  database.
- `partial`: a run without wttui's transaction failed after some of its statements were
  committed; `error` says which.
- `reverting`: a roll back without wttui's transaction began and has not finished.

`started`, `partial` and `reverting` are "unfinished": migrate refuses to run such a migration
again until `wttui resolve` says what is true.
"""

from __future__ import annotations

from psycopg import sql

from wttui.migrations.adapter import ApplyContext, Connection

APPLIED = "applied"
FAILED = "failed"
STARTED = "started"
PARTIAL = "partial"
REVERTING = "reverting"
UNFINISHED = frozenset((STARTED, PARTIAL, REVERTING))

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


def create(conn: Connection, table: str) -> None:
    conn.execute(sql.SQL(_DDL).format(table=sql.Identifier(table)))


def status_of(conn: Connection, table: str, version: str, *, lock: bool = False) -> str | None:
    """The row's status (None: no row); `lock` holds the row until the transaction ends."""
    query = sql.SQL("SELECT status FROM {} WHERE version = %s" + (" FOR UPDATE" if lock else ""))
    row = conn.execute(query.format(sql.Identifier(table)), (version,)).fetchone()
    return str(row[0]) if row else None


def record(
    conn: Connection,
    table: str,
    *,
    version: str,
    name: str,
    checksum: str,
    status: str,
    error: str | None,
    context: ApplyContext,
) -> None:
    """Write the migration's row (inserted, or replaced whole), stamped now and by `context`."""
    conn.execute(
        sql.SQL(_UPSERT).format(table=sql.Identifier(table)),
        (
            version,
            name,
            checksum,
            status,
            error,
            context.worktree,
            context.branch,
            context.commit,
        ),
    )


def set_status(conn: Connection, table: str, version: str, status: str, error: str | None) -> None:
    """Change the status (and error) of an existing row, keeping who wrote it."""
    conn.execute(
        sql.SQL("UPDATE {} SET status = %s, error = %s WHERE version = %s").format(
            sql.Identifier(table)
        ),
        (status, error, version),
    )


def delete(conn: Connection, table: str, version: str) -> None:
    conn.execute(
        sql.SQL("DELETE FROM {} WHERE version = %s").format(sql.Identifier(table)), (version,)
    )
