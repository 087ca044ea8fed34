"""The last look for sessions before a remove or a reset takes a worktree's database away.

The plan refuses a database with open sessions unless forced (`NeedsForce`), but the user reads
the question for a while: a session opened meanwhile (an app started, a `psql` left open) was
never seen by the plan. Ending it silently would be exactly what the refusal is for, so an
unforced action looks again — with the plan's grace for a session that is about to end
(`plans.settled_info`) — and stops, having changed nothing, when one stays. A forced plan ends
them, as the user asked.

What counts as a session is the strategy's `info().connections`: a database's or a
container's database's other backends (not autovacuum workers, not wttui's own). A schema
reports none — sessions are on the database all schemas share and cannot be told apart, and
`DROP SCHEMA` ends none of them (it waits for their locks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wttui.errors import DatabaseInUse
from wttui.plans import settled_info

if TYPE_CHECKING:
    from wttui.services import WorktreeContext

HINT = "close them, or use --force to end them"


def refuse_late_sessions(context: WorktreeContext, *, force: bool, action: str) -> None:
    """Stop `action` (nothing done yet) when the context's database has sessions and the plan
    was not forced.

    Raises:
        DatabaseInUse: sessions that stayed through the grace; nothing was changed.
    """
    if force:
        return
    info = settled_info(context, context.strategy.info(context.target))
    if info is not None and info.connections:
        raise DatabaseInUse(
            f"Database {context.target.label} has {info.connections} open session(s), opened "
            f"after the {action} was planned; nothing was changed",
            hint=HINT,
        )
