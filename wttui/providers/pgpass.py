"""libpq's own variables for a command wttui runs, the password through a `PGPASSFILE`.

`psql`, `pg_dump`, `pgcli` and most drivers ignore `DATABASE_URL` but read `PGHOST`, `PGPORT`,
`PGUSER` and `PGDATABASE`. The password never goes on a command line or into `PGPASSWORD`
(visible in `/proc/<pid>/environ` to the same user and inherited by every grandchild): it is
written to a private password file (0600, libpq refuses looser ones) that exists only while
the command runs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from wttui.core.urls import url_parts


def _escaped(field: str) -> str:
    """A `.pgpass` field: `:` and `\\` escaped with a backslash."""
    return field.replace("\\", "\\\\").replace(":", "\\:")


def libpq_variables(url: str, conninfo: str = "") -> dict[str, str]:
    """`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE` (and `PGOPTIONS` when `conninfo` carries
    libpq options such as the schema strategy's search_path) for `url`. No password."""
    parts = url_parts(url)
    env = {
        "PGHOST": parts["host"] or "localhost",
        "PGPORT": parts["port"],
        "PGDATABASE": parts["database"],
    }
    if parts["user"]:
        env["PGUSER"] = parts["user"]
    if conninfo.startswith(("postgresql://", "postgres://")):
        options = parse_qs(urlsplit(conninfo).query).get("options", [""])[-1]
        if options:
            env["PGOPTIONS"] = options
    return env


@contextmanager
def libpq_env(url: str, conninfo: str = "") -> Iterator[dict[str, str]]:
    """The libpq variables for `url`, with `PGPASSFILE` naming a 0600 file holding its password;
    the file is removed when the block ends (however it ends)."""
    env = libpq_variables(url, conninfo)
    password = url_parts(url)["password"]
    if not password:
        yield env
        return
    fd, name = tempfile.mkstemp(prefix="wttui-pgpass-")  # 0600 from the start
    path = Path(name)
    try:
        line = ":".join(
            _escaped(field)
            for field in (env["PGHOST"], env["PGPORT"], env["PGDATABASE"], env.get("PGUSER", "*"))
        )
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{line}:{_escaped(password)}\n")
        yield {**env, "PGPASSFILE": str(path)}
    finally:
        path.unlink(missing_ok=True)
