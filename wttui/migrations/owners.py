"""wttui's side table in each database: who applied which migration, and its file's checksum.

`wttui.applied_migrations` answers "which worktree owns this migration" on a shared database
(F33) for every tool, and gives edit detection to tools that store no checksum of their own: the
checksum is recorded when wttui applies a migration, and for migrations applied outside wttui
(whose file is here) at the next apply. Only applies write it — a status read never does, and
the schema and table are created by the first apply with something to record. Rows are keyed
by tool, scope and version: two tools in one database don't mix, and neither do the worktrees
of the schema strategy (scope is the connection's current schema, the worktree's own there;
`public` otherwise).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from psycopg import sql

from wttui.migrations.adapter import (
    ApplyContext,
    Connection,
    LocalMigration,
    table_exists,
    version_key,
)

SCHEMA = "wttui"
TABLE = "applied_migrations"

_DDL = """
CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE IF NOT EXISTS {schema}.{table} (
    tool        text NOT NULL,
    scope       text NOT NULL DEFAULT current_schema(),
    version     text NOT NULL,
    name        text NOT NULL DEFAULT '',
    checksum    text,
    worktree    text,
    branch      text,
    commit      text,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    by_wttui    boolean NOT NULL,
    PRIMARY KEY (tool, scope, version)
)
"""


@dataclass(frozen=True)
class Owner:
    version: str
    checksum: str | None
    worktree: str | None
    branch: str | None
    recorded_at: datetime
    by_wttui: bool

    @property
    def label(self) -> str | None:
        return self.branch or self.worktree


def file_checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ident() -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(TABLE))


def read(conn: Connection, tool: str) -> dict[str, Owner]:
    if not table_exists(conn, f"{SCHEMA}.{TABLE}"):
        return {}
    query = sql.SQL(
        "SELECT version, checksum, worktree, branch, recorded_at, by_wttui FROM {} "
        "WHERE tool = %s AND scope = current_schema()"
    ).format(_ident())
    return {str(row[0]): Owner(*row) for row in conn.execute(query, (tool,)).fetchall()}


def record(
    conn: Connection,
    tool: str,
    entries: Sequence[tuple[str, str, str | None]],
    context: ApplyContext | None,
) -> None:
    """Upsert (version, name, checksum) rows; `context` None: first seen, owner unknown."""
    if not entries:
        return
    with conn.transaction():
        # Two applies at once (two worktrees on one database) would race on `CREATE SCHEMA IF
        # NOT EXISTS`, which is not safe concurrently: the lock makes the second wait.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{SCHEMA}.{TABLE}",))
        conn.execute(
            sql.SQL(_DDL).format(schema=sql.Identifier(SCHEMA), table=sql.Identifier(TABLE))
        )
        statement = sql.SQL(
            "INSERT INTO {} (tool, version, name, checksum, worktree, branch, commit, by_wttui) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (tool, scope, version) DO UPDATE SET name = EXCLUDED.name, "
            "checksum = EXCLUDED.checksum, worktree = EXCLUDED.worktree, "
            "branch = EXCLUDED.branch, commit = EXCLUDED.commit, "
            "recorded_at = now(), by_wttui = EXCLUDED.by_wttui"
        ).format(_ident())
        for version, name, checksum in entries:
            conn.execute(
                statement,
                (
                    tool,
                    version,
                    name,
                    checksum,
                    context.worktree if context else None,
                    context.branch if context else None,
                    context.commit if context else None,
                    context is not None,
                ),
            )


def record_run(
    conn: Connection,
    tool: str,
    local: Sequence[LocalMigration],
    before: set[str],
    after: set[str],
    known: dict[str, Owner],
    context: ApplyContext,
) -> list[str]:
    """After a run of `tool` took the applied versions from `before` to `after`: record
    `context` as the owner of each new one, and the checksum of applied files wttui had no row
    of yet (owner unknown). Returns the new versions, in order."""
    by_version = {m.version: m for m in local}
    new = sorted(after - before, key=version_key)
    # Every applied migration wttui had no row of: remembered, so that a tracking row deleted
    # by hand later is noticed (and, for tools that store no checksum of their own, its file's
    # checksum gives edit detection).
    first_seen = [
        (m.version, m.name, file_checksum(m.file))
        for m in local
        if m.version in after and m.version not in known and m.version not in new
    ]
    record(conn, tool, first_seen, None)
    applied = [
        (v, by_version[v].name, file_checksum(by_version[v].file)) for v in new if v in by_version
    ]
    record(conn, tool, applied, context)
    return new


def forget(conn: Connection, tool: str, versions: Sequence[str]) -> None:
    if versions and table_exists(conn, f"{SCHEMA}.{TABLE}"):
        conn.execute(
            sql.SQL(
                "DELETE FROM {} WHERE tool = %s AND scope = current_schema() AND version = ANY(%s)"
            ).format(_ident()),
            (tool, list(versions)),
        )


def adopt(conn: Connection, tool: str, context: ApplyContext) -> None:
    """The rows a template's builder recorded become `context`'s (a clone of the template is
    this worktree's database: a replay by it would have recorded it as the applier)."""
    if table_exists(conn, f"{SCHEMA}.{TABLE}"):
        conn.execute(
            sql.SQL(
                "UPDATE {} SET worktree = %s, branch = %s, commit = %s "
                "WHERE tool = %s AND scope = current_schema() AND by_wttui"
            ).format(_ident()),
            (context.worktree, context.branch, context.commit, tool),
        )


def copy_scope(conn: Connection, source: str, dest: str) -> None:
    """Schema `dest` was made a copy of schema `source` (the schema strategy's `create --from`
    and `clone`): its rows become a copy of `source`'s, as a database copy carries its side
    table along. What `dest` had before goes (it described the schema the copy replaced)."""
    if not table_exists(conn, f"{SCHEMA}.{TABLE}"):
        return
    conn.execute(sql.SQL("DELETE FROM {} WHERE scope = %s").format(_ident()), (dest,))
    conn.execute(
        sql.SQL(
            "INSERT INTO {} (tool, scope, version, name, checksum, worktree, branch, commit, "
            "recorded_at, by_wttui) SELECT tool, %s, version, name, checksum, worktree, branch, "
            "commit, recorded_at, by_wttui FROM {} WHERE scope = %s"
        ).format(_ident(), _ident()),
        (dest, source),
    )
