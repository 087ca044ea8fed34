"""What a command run in a schema-strategy worktree gets so that libpq clients land in its
schema (issue: `psql "$DATABASE_URL"` rejects Prisma's `?schema=` with `invalid URI query
parameter: "schema"`).

libpq reads `PGOPTIONS` for every connection, so `-c search_path=<schema>` there puts `psql`,
`pg_dump` and any libpq-based driver in the worktree's schema whatever URL they were given.
The URL itself stays Prisma's form (Prisma is the one tool that reads `?schema=`, and ignores
`PGOPTIONS`), except for a command wttui can see runs a libpq client and no Prisma: that one
gets the URL in libpq's form (`options=-csearch_path=…`), the only form it accepts. Pure: the
caller passes the environment and the command.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wttui.core.guards import programs
from wttui.core.urls import url_parts

LIBPQ_CLIENTS = frozenset(
    {
        "psql",
        "pg_dump",
        "pg_dumpall",
        "pg_restore",
        "pgcli",
        "createdb",
        "dropdb",
        "vacuumdb",
        "reindexdb",
        "clusterdb",
        "pg_isready",
        "pgbench",
        "pg_amcheck",
    }
)
"""PostgreSQL's own client programs (and pgcli): they parse URLs with libpq."""


def search_path_option(schema: str) -> str:
    """`-c search_path=<schema>` (schema names wttui makes need no quoting)."""
    return f"-c search_path={schema}"


def schema_env(
    env: Mapping[str, str],
    argv: Sequence[str],
    *,
    schema: str | None,
    url_key: str,
    libpq_url: str,
    caller_options: str = "",
) -> tuple[dict[str, str], tuple[str, ...]]:
    """`env` for running `argv` in a worktree whose schema is `schema`, and what was added, in
    words. Unchanged (and no words) without a schema.

    `PGOPTIONS` gets the search_path after any options the caller already set; `url_key` gets
    `libpq_url` when `argv` runs one of `LIBPQ_CLIENTS` and no `prisma`, and its value is
    Prisma's `?schema=` form."""
    if not schema:
        return dict(env), ()
    result = dict(env)
    option = search_path_option(schema)
    caller = caller_options.strip()
    result["PGOPTIONS"] = f"{caller} {option}" if caller and option not in caller else option
    notes = [f"PGOPTIONS={result['PGOPTIONS']} (libpq clients use schema {schema})"]
    run = set(programs(argv))
    clients = sorted(run & LIBPQ_CLIENTS)
    current = result.get(url_key, "")
    if clients and "prisma" not in run and current and url_parts(current)["schema"]:
        result[url_key] = libpq_url
        notes.append(
            f"{url_key} in libpq's form (options=-csearch_path={schema}): "
            f"{clients[0]} rejects Prisma's ?schema="
        )
    return result, tuple(notes)
