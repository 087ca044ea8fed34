"""When a database or schema was last written, from the modification times of its files.

PostgreSQL keeps no "last connection" time; the newest modification time of a database's data
files (or of a schema's tables) is the closest it has. Reading file times needs the superuser
(`pg_ls_dir`, `pg_stat_file`): on a server where wttui is not one, the answer is "unknown".
"""

from __future__ import annotations

from datetime import datetime

from wttui.errors import WttuiError
from wttui.providers.postgres import PostgresProvider

_DATABASES = """
SELECT d.datname,
       (SELECT max((pg_stat_file('base/' || d.oid || '/' || f, true)).modification)
          FROM pg_ls_dir('base/' || d.oid, true, false) AS f)
  FROM pg_database d
 WHERE d.datname = ANY(%s)
"""

_SCHEMAS = """
SELECT n.nspname, max((pg_stat_file(pg_relation_filepath(c.oid), true)).modification)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'i', 't', 'm', 'S')
 GROUP BY n.nspname
"""


def databases_modified(provider: PostgresProvider, names: list[str]) -> dict[str, datetime]:
    """Database name → the newest modification time of its files (missing: unknown)."""
    if not names:
        return {}
    try:
        with provider.connect(autocommit=True) as conn:
            rows = conn.execute(_DATABASES, (names,)).fetchall()
    except WttuiError:
        return {}
    return {str(name): stamp for name, stamp in rows if stamp is not None}


def schemas_modified(
    provider: PostgresProvider, dbname: str, schemas: list[str]
) -> dict[str, datetime]:
    """Schema → the newest modification time of its tables' files (missing: unknown)."""
    if not schemas:
        return {}
    try:
        with provider.connect(dbname, autocommit=True) as conn:
            rows = conn.execute(_SCHEMAS, (schemas,)).fetchall()
    except WttuiError:
        return {}
    return {str(name): stamp for name, stamp in rows if stamp is not None}
