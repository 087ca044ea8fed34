"""Another tool's state table where detection found none of its files.

A monorepo keeps Prisma in `apps/web/prisma` and detection, looking at the root, falls back to
wttui's own runner: the Migrations pane would show 0 migrations over a database with 163 applied
ones. Whenever the runner in force sees nothing at all, every known tool's state table is read
(the adapters' own `applied`, in one read-only session), and what is there is said.
"""

from __future__ import annotations

import psycopg

from wttui.errors import ConfigError, WttuiError
from wttui.migrations.registry import BUILTIN, DEFAULT_TABLE, FALLBACK, adapter_class
from wttui.migrations.runner import read_only
from wttui.providers.postgres import PostgresProvider


def foreign_state_tables(conninfo: str, *, tool: str) -> list[tuple[str, int]]:
    """(tool, rows) for each built-in tool other than `tool` whose state table exists in the
    database at `conninfo`. Read-only; an unreachable database gives nothing."""
    found: list[tuple[str, int]] = []
    try:
        with PostgresProvider(read_only(conninfo)).connect(autocommit=True) as conn:
            for name in BUILTIN:
                if name in (tool, FALLBACK):
                    continue
                try:
                    rows = adapter_class(name).configured(table=DEFAULT_TABLE).applied(conn)
                except (psycopg.Error, ConfigError):
                    continue  # a table of that name with another layout: not that tool's
                if rows is not None:
                    found.append((name, len(rows)))
    except WttuiError:
        return []
    return found


def foreign_note(found: list[tuple[str, int]]) -> str:
    """One sentence for the Migrations pane and `doctor`."""
    tools = ", ".join(f"{name}'s ({rows} row(s))" for name, rows in found)
    first = found[0][0]
    return (
        f"the database has {tools} state table, but no {first} migrations were found in this "
        f'worktree: set [migrations] tool = "{first}" and its dir'
    )
