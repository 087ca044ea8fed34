"""`schema_migrations`: one table name, three tools (dbmate, golang-migrate, Rails).

Each of the three adapters reads the table only when its shape is its tool's, told apart by
columns (MIGRATION-TOOLS.md, "Table-name collisions"): dbmate's has only `version`,
golang-migrate adds `dirty`, and Rails keeps `ar_internal_metadata` beside it. Shared here so no
adapter imports another.
"""

from __future__ import annotations

from typing import Literal

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
