"""Where a connection string leads, by libpq's own parser (through psycopg): URLs
(`postgresql://`, `postgresql:///db?host=/run/postgresql&port=5433`) and keyword DSNs
(`host=… port=… dbname=…`) alike, for the sharing rules in `core/sharing.py`.

Query parameters libpq does not know (Prisma's `schema`, `connection_limit`, …) are set aside
before parsing; `schema` is kept as the location's schema.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

from wttui.core.sharing import Location, host_key
from wttui.core.urls import LIBPQ_PARAMETERS

_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([^\s,]+)")


def _split_url(dsn: str) -> tuple[str, str]:
    """A URL without the query parameters libpq would reject, and its `?schema=`."""
    if not dsn.startswith(("postgresql://", "postgres://")):
        return dsn, ""
    base, _, query_text = dsn.partition("?")  # not urlunsplit: it drops an empty host (`///db`)
    query = parse_qsl(query_text, keep_blank_values=True)
    schema = dict(query).get("schema", "")
    kept = urlencode([(key, value) for key, value in query if key in LIBPQ_PARAMETERS])
    return (f"{base}?{kept}" if kept else base), schema


@lru_cache(maxsize=256)
def location(dsn: str) -> Location | None:
    """The servers, database and schema `dsn` leads to; None when libpq cannot parse it.

    Defaults are libpq's: no host is this machine's socket, no port is 5432, no database is
    the user's name.
    """
    import psycopg  # not needed for the first frame
    from psycopg.conninfo import conninfo_to_dict

    text, schema = _split_url(dsn.strip())
    try:
        params = conninfo_to_dict(text)
    except psycopg.Error:
        return None
    hosts = str(params.get("hostaddr") or params.get("host") or "").split(",")
    ports = str(params.get("port") or "").split(",")
    if len(ports) not in (1, len(hosts)):
        return None
    servers = set()
    for index, host in enumerate(hosts):
        port = (ports[index] if len(ports) > 1 else ports[0]).strip() or "5432"
        if not port.isdigit():
            return None
        servers.add((host_key(host), int(port)))
    if not schema and (match := _SEARCH_PATH.search(str(params.get("options") or ""))):
        schema = match[1].strip("\"'")
    database = str(params.get("dbname") or params.get("user") or "")
    return Location(servers=frozenset(servers), database=database, schema=schema)
