"""Handing a database's (or a schema's) objects over to a worktree's role: what an install
from before per-project roles, a copy made by the superuser, or a new container's database
needs so that the worktree's own migrations can go on. Every name reaches SQL through
`psycopg.sql`; routines are named by the server's own `regprocedure` rendering.
"""

from __future__ import annotations

from psycopg import sql

from wttui.providers.postgres import PostgresProvider

_OWNED = """
SELECT c.relkind, n.nspname, c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
   AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
   AND NOT (c.relkind = 'S' AND EXISTS (
       SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
   AND n.nspname NOT LIKE 'pg\\_%%' AND n.nspname <> 'information_schema'
   AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s)
"""
_OWNED_TYPES = """
SELECT n.nspname, t.typname
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE t.typowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
   AND (t.typtype IN ('e', 'd', 'r')
        OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
   AND n.nspname NOT LIKE 'pg\\_%%' AND n.nspname <> 'information_schema'
   AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = t.oid AND e.deptype = 'e')
"""
_OWNED_ROUTINES = """
SELECT p.oid::regprocedure::text
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
   AND n.nspname NOT LIKE 'pg\\_%%' AND n.nspname <> 'information_schema'
   AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = p.oid AND e.deptype = 'e')
"""
_KINDS = {
    "r": "TABLE",
    "p": "TABLE",
    "v": "VIEW",
    "m": "MATERIALIZED VIEW",
    "S": "SEQUENCE",
    "f": "FOREIGN TABLE",
}


def hand_over(provider: PostgresProvider, dbname: str, role: str, schema: str | None) -> int:
    """Make `role` the owner of database `dbname` (or, given `schema`, of that schema) and of
    the tables, views, sequences, types and routines the admin made in it (not those of
    extensions: they stay the extension's) — what an install from before
    per-project roles needs so that its worktrees' migrations can go on. Returns how many
    objects changed hands.

    Raises:
        DatabaseUnavailable, DatabaseError: the server refused.
    """
    changed = 0
    role_ident = sql.Identifier(role)
    if schema is None:
        with provider.connect(autocommit=True) as conn:
            row = conn.execute(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (dbname,)
            ).fetchone()
            if row is not None and row[0] != role:
                conn.execute(
                    sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                        sql.Identifier(dbname), role_ident
                    )
                )
                changed += 1
    with provider.connect(dbname, autocommit=True) as conn:
        schemas = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = current_user) "
            "AND nspname NOT LIKE 'pg\\_%%' AND nspname NOT IN ('information_schema', 'public') "
            "AND (%s::text IS NULL OR nspname = %s)",
            (schema, schema),
        ).fetchall()
        for (name,) in schemas:
            conn.execute(
                sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(sql.Identifier(name), role_ident)
            )
            changed += 1
        for kind, namespace, relation in conn.execute(_OWNED, {"schema": schema}).fetchall():
            conn.execute(
                sql.SQL("ALTER {} {}.{} OWNER TO {}").format(
                    sql.SQL(_KINDS[kind]),
                    sql.Identifier(namespace),
                    sql.Identifier(relation),
                    role_ident,
                )
            )
            changed += 1
        for namespace, name in conn.execute(_OWNED_TYPES, {"schema": schema}).fetchall():
            conn.execute(
                sql.SQL("ALTER TYPE {}.{} OWNER TO {}").format(
                    sql.Identifier(namespace), sql.Identifier(name), role_ident
                )
            )
            changed += 1
        for (signature,) in conn.execute(_OWNED_ROUTINES, {"schema": schema}).fetchall():
            # `regprocedure` text is the server's own rendering, every name in it quoted by
            # the server (quote_ident, format_type): the one way to name an overloaded routine.
            conn.execute(
                sql.SQL("ALTER ROUTINE {} OWNER TO {}").format(sql.SQL(signature), role_ident)
            )
            changed += 1
    return changed
