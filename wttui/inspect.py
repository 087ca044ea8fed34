"""Inspect (F25): what a worktree's database holds, read-only — seed 2's appendix A as commands.

Tables with estimated rows and sizes, one table's columns, indexes and foreign keys, and the
migration tool's state rows as the tool stored them. The schema strategy's worktrees see their
own schema only.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from wttui.core.housekeeping import TableDetail, TableRow
from wttui.plans import require_database
from wttui.providers import pg_inspect

if TYPE_CHECKING:
    from wttui.migrations.adapter import AppliedMigration
    from wttui.services import Services, WorktreeContext


def client() -> list[str]:
    """The interactive client `wttui psql` opens: pgcli when installed, else psql."""
    return ["pgcli"] if shutil.which("pgcli") else ["psql"]


def reachable(services: Services, ref: str) -> WorktreeContext:
    """The worktree's context, once its database is known to be there and running.

    Raises:
        InvalidInput: no such worktree.
        NoDatabase: it has no database (strategy none).
        DatabaseError: its database does not exist.
        DatabaseUnavailable: its container is stopped.
    """
    context = services.context_of(ref)
    require_database(context, "inspect")
    return context


def read_tables(services: Services, ref: str) -> list[TableRow]:
    context = reachable(services, ref)
    with pg_inspect.read_only(context.target.connect_url) as conn:
        return pg_inspect.tables(conn, context.target.schema)


def read_table(services: Services, ref: str, name: str) -> TableDetail:
    context = reachable(services, ref)
    with pg_inspect.read_only(context.target.connect_url) as conn:
        return pg_inspect.table(conn, name, context.target.schema)


def read_state_rows(services: Services, ref: str) -> tuple[str, list[AppliedMigration] | None]:
    """The tool in force and its state table's rows as stored (None: no table yet)."""
    context = reachable(services, ref)
    adapter = context.tool.adapter
    with pg_inspect.read_only(context.target.connect_url) as conn:
        return context.tool.name, adapter.applied(conn)
