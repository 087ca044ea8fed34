"""The plan of `wttui resolve`: mark a migration applied or rolled back without running it.

Like every plan (see `plans.py`), it reads only (the migration state in a read-only session)
and raises every refusal before anyone is asked: no such migration, nothing to mark, a tool
that cannot mark it so (`Adapter.resolve`). The confirmation names the database and says what
the tool will believe afterwards; on a database other worktrees use it asks for the database's
name to be typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wttui.core.plans import Confirmation, ResolvePlan
from wttui.plans import require_database, sharing

if TYPE_CHECKING:
    from wttui.services import Services


def plan_resolve(services: Services, ref: str, migration: str, *, applied: bool) -> ResolvePlan:
    """Mark `migration` (a version, a `version_name` or a file name) of the worktree `ref`
    applied (`applied`) or rolled back, through its tool.

    Raises:
        InvalidInput: no worktree, or no (or several) migrations, by that name.
        NoDatabase: the worktree has no database (strategy none).
        DatabaseError: the database does not exist.
        Refused: nothing to mark, or the tool cannot mark it so.
    """
    entries = services.git.entries()
    context = services.context(services.resolve(ref, entries))
    target = context.target
    require_database(context, "mark", running=False)
    tool = context.tool
    status, step = tool.resolution(
        target.connect_url, migration, applied=applied, context=context.apply_context()
    )
    shared_with = sharing(services, context, entries)
    shared = target.shared or bool(shared_with)
    name = f"{status.version}_{status.name}" if status.name else status.version
    if status.name and status.name in status.version:
        name = status.version
    word = "applied" if applied else "rolled back"
    question = (
        f"Mark {name} {word} in database {target.label} on {target.server} without running "
        f"it? {step.belief}."
    )
    return ResolvePlan(
        worktree=context.worktree,
        target=target,
        tool=tool.name,
        migration=status,
        applied=applied,
        belief=step.belief,
        command=step.command,
        how=step.how,
        shared_with=shared_with,
        confirmation=Confirmation(question, typed=target.label if shared else None, yes="Mark"),
    )
