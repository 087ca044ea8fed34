"""What is in a database: tables with estimated rows and sizes, a table's columns, indexes and
foreign keys. Read-only sessions (every transaction READ ONLY); names only ever travel as query
parameters, so a table called `we"ird` or `café` is found like any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from wttui.core.housekeeping import Column, TableDetail, TableRow
from wttui.core.urls import mask_secrets, server_label, url_secrets
from wttui.errors import DatabaseError, DatabaseUnavailable, InvalidInput

_KINDS = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "f": "foreign table",
}

_TABLES = """
SELECT n.nspname, c.relname, c.relkind, c.reltuples::bigint,
       pg_total_relation_size(c.oid)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\\_%%'
   AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s)
"""

_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid)
  FROM pg_attribute a
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum
"""

_INDEXES = """
SELECT i.relname, pg_get_indexdef(x.indexrelid)
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
 WHERE x.indrelid = %s ORDER BY i.relname
"""

_FOREIGN_KEYS = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = %s AND contype = 'f' ORDER BY conname
"""

Connection = psycopg.Connection[tuple[Any, ...]]


@contextmanager
def read_only(conninfo: str) -> Iterator[Connection]:
    """A read-only session on `conninfo` (its own libpq options, e.g. a search_path, kept)."""
    params = conninfo_to_dict(conninfo)
    params.pop("schema", None)  # Prisma's `?schema=`: libpq does not know it
    own = str(params.get("options") or "")
    params["options"] = " ".join(filter(None, [own, "-cdefault_transaction_read_only=on"]))
    where = server_label(conninfo) if "://" in conninfo else "the server"
    try:
        conn = psycopg.connect(make_conninfo("", **params), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        reason = mask_secrets(str(exc).strip().splitlines()[-1], url_secrets(conninfo))
        raise DatabaseUnavailable(f"Cannot connect to PostgreSQL at {where}: {reason}") from None
    try:
        with conn:
            yield conn
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DatabaseError(f"PostgreSQL at {where}: {mask_secrets(first)}") from None


def _row(row: tuple[Any, ...]) -> TableRow:
    schema, name, kind, tuples, size = row
    estimate = int(tuples) if tuples is not None and int(tuples) >= 0 else None
    return TableRow(str(schema), str(name), _KINDS.get(str(kind), str(kind)), estimate, int(size))


def tables(conn: Connection, schema: str | None = None) -> list[TableRow]:
    """Every table and view (in `schema` only, when given), by schema and name."""
    rows = conn.execute(_TABLES + " ORDER BY 1, 2", {"schema": schema}).fetchall()
    return [_row(row) for row in rows]


def table(conn: Connection, name: str, schema: str | None = None) -> TableDetail:
    """One table by its exact name (or `schema.name`), with its columns, indexes and FKs.

    Raises:
        InvalidInput: no such table, or the name is in several schemas.
    """
    candidates = _lookup(conn, name, schema)
    if not candidates and "." in name:
        qualifier, _, bare = name.partition(".")
        if schema is None or schema == qualifier:
            candidates = _lookup(conn, bare, qualifier)
    if not candidates:
        raise InvalidInput(f"No table {name!r} here", hint="`wttui inspect BRANCH` lists them")
    if len(candidates) > 1:
        where = ", ".join(f"{row.schema}.{row.name}" for _, row in candidates)
        raise InvalidInput(
            f"{name!r} is in several schemas: {where}", hint="name it as schema.table"
        )
    oid, row = candidates[0]
    columns = tuple(
        Column(str(n), str(t), bool(null), None if d is None else str(d))
        for n, t, null, d in conn.execute(_COLUMNS, (oid,)).fetchall()
    )
    indexes = tuple((str(n), str(d)) for n, d in conn.execute(_INDEXES, (oid,)).fetchall())
    keys = tuple((str(n), str(d)) for n, d in conn.execute(_FOREIGN_KEYS, (oid,)).fetchall())
    return TableDetail(row, columns, indexes, keys)


def _lookup(conn: Connection, name: str, schema: str | None) -> list[tuple[int, TableRow]]:
    rows = conn.execute(
        """
        SELECT c.oid, n.nspname, c.relname, c.relkind, c.reltuples::bigint,
               pg_total_relation_size(c.oid)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relname = %(name)s
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s)
         ORDER BY 2
        """,
        {"name": name, "schema": schema},
    ).fetchall()
    return [(int(row[0]), _row(row[1:])) for row in rows]
