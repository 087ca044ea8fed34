"""The plans of `wttui remove` and `wttui reset`: a worktree taken away (its database dropped
unless kept or shared), a database dropped and rebuilt. See `plans.py` for how plans work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from wttui.core.models import Worktree
from wttui.core.naming import is_reserved_schema
from wttui.core.plans import Confirmation, RemovePlan, ResetPlan
from wttui.errors import DatabaseInUse, DirtyWorktree, InvalidInput, NeedsForce, Refused, WttuiError
from wttui.plans import refuse_none, settled_info, sharing
from wttui.strategies.base import refuse_shared

if TYPE_CHECKING:
    from wttui.providers.git_porcelain import WorktreeEntry
    from wttui.services import Services


def plan_remove(
    services: Services, ref: str, *, keep_db: bool = False, force: bool = False
) -> RemovePlan:
    """Remove a worktree; drop its database unless kept or used by another worktree.

    Raises:
        InvalidInput: `ref` matches no worktree.
        Refused: it is the main worktree.
        DirtyWorktree, DatabaseInUse, NeedsForce: uncommitted changes, open sessions on the
            database it would drop, a lock — unless `force`.
    """
    entries = services.git.entries()
    worktree = _worktree_or_unfinished_remove(services, ref, entries)
    if worktree.is_main:
        raise Refused(
            f"{worktree.label} is the main worktree; it cannot be removed",
            hint="remove another worktree, or the whole repository yourself",
        )
    context = services.context(worktree)
    target = context.target
    shared_with = sharing(services, context, entries)
    info = context.strategy.info(target)
    exists = info is not None
    reserved = target.schema is not None and is_reserved_schema(target.schema)
    will_drop = exists and not target.shared and not shared_with and not keep_db and not reserved
    if will_drop:
        info = settled_info(context, info)
    sessions = info.connections if info else 0
    overrides: list[WttuiError] = []
    if worktree.locked:
        reason = f" ({worktree.lock_reason})" if worktree.lock_reason else ""
        overrides.append(
            NeedsForce(
                f"Worktree {worktree.label} at {worktree.path} is locked{reason}",
                hint="unlock it with `git worktree unlock`, or pass --force",
            )
        )
    if worktree.dirty:
        overrides.append(
            DirtyWorktree(
                f"Worktree {worktree.label} at {worktree.path} has uncommitted changes",
                hint="commit or stash them, or pass --force to discard them",
            )
        )
    if will_drop and sessions:
        overrides.append(_in_use(target.label, sessions))
    _refuse_unforced(overrides, force)
    what = f"worktree {worktree.label} at {worktree.path}"
    # A container's volume kept by policy (`keep_volume`) already keeps the data for the next
    # create; otherwise the whole container goes to the trash, its volume attached.
    trash = services.config.cleanup.trash_days > 0 and not (
        target.container and services.config.container.keep_volume
    )
    if will_drop:
        verb = "move database" if trash else "drop database"
        where = " to the trash" if trash else ""
        confirmation = Confirmation(
            f"Remove {what} and {verb} {target.label} on {target.server}{where}?",
            typed=target.label,
            yes="Remove",
        )
    else:
        confirmation = Confirmation(f"Remove {what}?", yes="Remove")
    return RemovePlan(
        worktree=worktree,
        target=target,
        database_exists=exists,
        shared_with=shared_with,
        sessions=sessions,
        will_drop=will_drop,
        keep_db=keep_db,
        force=force,
        overrides=tuple(error.message for error in overrides),
        confirmation=confirmation,
        trash=trash,
    )


def _worktree_or_unfinished_remove(
    services: Services, ref: str, entries: list[WorktreeEntry]
) -> Worktree:
    """The worktree `ref` names; else the one a remove that stopped half way took away (its
    database is still to drop: `wttui.unfinished_remove`)."""
    try:
        return services.resolve(ref, entries)
    except InvalidInput:
        from wttui.unfinished_remove import find

        found = find(services, ref)
        if found is None:
            raise
        return found


def plan_reset(services: Services, ref: str, *, force: bool = False) -> ResetPlan:
    """Drop, re-create and migrate a worktree's own database.

    Raises:
        Refused: the database is shared (on purpose, or with another worktree).
        DatabaseInUse: it has open sessions and not `force`.
    """
    entries = services.git.entries()
    worktree = services.resolve(ref, entries)
    context = services.context(worktree)
    target = context.target
    refuse_none(context, "reset")
    refuse_shared(target, "reset")
    if target.schema is not None and is_reserved_schema(target.schema):
        raise Refused(
            f"Schema {target.label} is PostgreSQL's or wttui's own: wttui never drops it",
            hint="drop what you need from it by hand",
        )
    shared_with = sharing(services, context, entries)
    if shared_with:
        raise Refused(
            f"Database {target.label} is shared with {', '.join(shared_with)}; "
            "resetting it would wipe their data too",
            hint="give this worktree its own database instead",
        )
    info = settled_info(context, context.strategy.info(target))
    sessions = info.connections if info else 0
    overrides = [_in_use(target.label, sessions)] if sessions else []
    _refuse_unforced(overrides, force)
    return ResetPlan(
        worktree=worktree,
        target=target,
        database_exists=info is not None,
        sessions=sessions,
        force=force,
        overrides=tuple(error.message for error in overrides),
        confirmation=Confirmation(
            f"Reset moves database {target.label} on {target.server} to the trash and rebuilds "
            f"it from {worktree.label}'s migrations (`wttui undo` brings the old one back)."
            if services.config.cleanup.trash_days > 0
            else f"Reset drops database {target.label} on {target.server} and rebuilds it from "
            f"{worktree.label}'s migrations; its data is lost.",
            typed=target.label,
            yes="Reset",
        ),
        trash=services.config.cleanup.trash_days > 0,
        snapshot_first=services.config.snapshots.before_destructive and info is not None,
    )


def _in_use(label: str, sessions: int) -> DatabaseInUse:
    return DatabaseInUse(
        f"Database {label} has {sessions} open session(s)",
        hint="close them, or pass --force to terminate them",
    )


def _refuse_unforced(overrides: Sequence[WttuiError], force: bool) -> None:
    if overrides and not force:
        raise overrides[0]
