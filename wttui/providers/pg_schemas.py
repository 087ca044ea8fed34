"""Schemas inside one database, for the schema strategy: exists, create, drop, sizes.

Every name reaches SQL through `psycopg.sql.Identifier`; statements run through
`PostgresProvider.connect`, so connection errors read the same as everywhere else. Reserved
schemas (`public`, `pg_*`, …) are never created or dropped here, whoever asks.
"""

from __future__ import annotations

from psycopg import sql

from wttui.core.models import DatabaseInfo
from wttui.core.naming import check_schema_name, is_reserved_schema
from wttui.errors import Refused
from wttui.providers.postgres import PostgresProvider, check_name

_SIZES = """
SELECT n.nspname,
       coalesce(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relkind IN ('r', 'm')), 0)
  FROM pg_namespace n
  LEFT JOIN pg_class c ON c.relnamespace = n.oid
 WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
 GROUP BY n.nspname
"""


class SchemaProvider:
    """The schemas of database `dbname` on the server of `provider`."""

    def __init__(self, provider: PostgresProvider, dbname: str) -> None:
        self.provider = provider
        self.dbname = dbname

    def sizes(self) -> dict[str, int]:
        """Every user schema with the total size of its tables (indexes and TOAST included)."""
        with self.provider.connect(self.dbname, autocommit=True) as conn:
            return {str(name): int(size) for name, size in conn.execute(_SIZES).fetchall()}

    def info(self, schema: str) -> DatabaseInfo | None:
        """The schema as a `DatabaseInfo` (name `db.schema`), or None when it doesn't exist."""
        size = self.sizes().get(schema)
        return None if size is None else DatabaseInfo(f"{self.dbname}.{schema}", size)

    def create(self, schema: str, *, owner: str | None = None) -> None:
        """`CREATE SCHEMA schema [AUTHORIZATION owner]`."""
        check_name(schema)
        check_schema_name(schema)
        statement = sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema))
        if owner:
            statement = sql.SQL("{} AUTHORIZATION {}").format(statement, sql.Identifier(owner))
        with self.provider.connect(self.dbname, autocommit=True) as conn:
            conn.execute(statement)

    def drop(self, schema: str) -> bool:
        """`DROP SCHEMA … CASCADE`: the schema and everything in it. False when it was absent.

        Raises:
            Refused: `schema` is reserved (`public`, `pg_*`, …).
        """
        if is_reserved_schema(schema):
            raise Refused(f"Schema {schema} is PostgreSQL's or wttui's own: it is never dropped")
        with self.provider.connect(self.dbname, autocommit=True) as conn:
            found = conn.execute(
                "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
            ).fetchone()
            if found is None:
                return False
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        return True
