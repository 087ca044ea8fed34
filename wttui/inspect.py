"""Inspect (F25): what a worktree's database holds, read-only — seed 2's appendix A as commands.

Tables with estimated rows and sizes, one table's columns, indexes and foreign keys, and the
migration tool's state rows as the tool stored them. The schema strategy's worktrees see their
own schema only.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from wttui.core.housekeeping import TableDetail, TableRow
from wttui.errors import DatabaseError, DatabaseUnavailable
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
        DatabaseError: its database does not exist.
        DatabaseUnavailable: its container is stopped.
    """
    context = services.context_of(ref)
    target = context.target
    info = context.strategy.info(target)
    if info is None:
        raise DatabaseError(
            f"Database {target.label} of {context.label} does not exist on {target.server}",
            hint=f"`wttui sync {context.label}` provisions it",
        )
    if info.state is not None and info.state not in ("running", "starting"):
        raise DatabaseUnavailable(
            f"Container {target.container} of {context.label} is {info.state}",
            hint=f"`wttui start {context.label}` starts it",
        )
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
