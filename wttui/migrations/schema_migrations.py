"""`schema_migrations`: one table name, three tools (dbmate, golang-migrate, Rails).

Each of the three adapters reads the table only when its shape is its tool's, told apart by
columns (MIGRATION-TOOLS.md, "Table-name collisions"): dbmate's has only `version`,
golang-migrate adds `dirty`, and Rails keeps `ar_internal_metadata` beside it. Shared here so no
adapter imports another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from psycopg import sql

from wttui.errors import MigrationFailed
from wttui.migrations.adapter import Connection, table_exists

TABLE = "schema_migrations"


def resolved_columns(conn: Connection, table: str) -> set[str]:
    """The columns of `table` as the worktree's `search_path` resolves it (the schema strategy
    sets one; the tools create and read their table unqualified); empty when it is missing."""
    rows = conn.execute(
        "SELECT attname FROM pg_attribute "
        "WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped",
        (table,),
    ).fetchall()
    return {str(row[0]) for row in rows}


def schema_migrations_owner(
    conn: Connection,
) -> Literal["dbmate", "golang-migrate", "rails"] | None:
    """Which tool's `schema_migrations` this is; None when there is none or it has another
    shape."""
    found = resolved_columns(conn, TABLE)
    if found == {"version", "dirty"}:
        return "golang-migrate"
    if found == {"version"}:
        return "rails" if table_exists(conn, "ar_internal_metadata") else "dbmate"
    return None


def version_row(
    tool: Literal["dbmate", "rails"],
    stored: str,
    *,
    applied: bool,
    create: str | None = None,
) -> Callable[[Connection], None]:
    """`resolve`'s write for a tool whose `schema_migrations` row is just the version: insert
    `stored` (creating the table with `create`, the tool's own DDL, where the tool would), or
    delete the row that stands for it (Rails compares versions as numbers: `001` is `1`).

    Raises (when run):
        MigrationFailed: the table is another tool's, or missing where the tool never creates
            it on its own.
    """
    table = sql.Identifier(TABLE)

    def write(conn: Connection) -> None:
        owner = schema_migrations_owner(conn)
        if owner is None and create is not None and not resolved_columns(conn, TABLE):
            conn.execute(create)
            owner = tool
        if owner != tool:
            raise MigrationFailed(
                f"schema_migrations here is not {tool}'s ({owner or 'missing'}): nothing marked",
                hint=f"run {tool} once so it creates its table",
            )
        if applied:
            conn.execute(sql.SQL("INSERT INTO {} (version) VALUES (%s)").format(table), (stored,))
        elif tool == "rails":
            conn.execute(
                sql.SQL("DELETE FROM {} WHERE ltrim(version, '0') = ltrim(%s, '0')").format(table),
                (stored,),
            )
        else:
            conn.execute(sql.SQL("DELETE FROM {} WHERE version = %s").format(table), (stored,))

    return write
