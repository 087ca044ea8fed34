"""Destructive actions on one worktree: remove it (F12) or reset its database (F41).

Both check everything first and change nothing when refused: a shared database is never
dropped or reset from one worktree's action, a dirty worktree is kept unless forced, and a
database with open sessions is left alone unless forced (the sessions are then terminated).
"""

from __future__ import annotations

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.naming import is_reserved_schema
from wttui.errors import DatabaseInUse, InvalidInput, Refused
from wttui.services import Services
from wttui.strategies.base import refuse_shared


def remove(
    services: Services,
    ref: str,
    *,
    keep_db: bool = False,
    force: bool = False,
    sink: LogSink,
    cancel: CancelToken,
) -> None:
    """Remove worktree `ref` and drop its database (unless kept or shared).

    Raises:
        InvalidInput: `ref` is the main worktree or matches none.
        DirtyWorktree: uncommitted changes and not `force`.
        DatabaseInUse: the database has open sessions and not `force`.
    """
    plan = services.plan_remove(ref, keep_db=keep_db)
    worktree = plan.worktree
    if worktree.is_main:
        raise InvalidInput(f"{worktree.label} is the main worktree; it cannot be removed")
    sink.step(f"Remove worktree {worktree.label} at {worktree.path}")
    if plan.will_drop and plan.sessions and not force:
        raise DatabaseInUse(
            f"Database {plan.target.label if plan.target else ''} has {plan.sessions} open "
            "session(s)",
            hint="close them, or pass --force to terminate them",
        )
    cancel.check()
    if worktree.prunable:
        sink.line("Its directory is already gone: pruning the metadata")
        services.git.prune()
    else:
        services.git.remove_worktree(worktree.path, force=force)
    if plan.target is None or not plan.database_exists:
        sink.line("No database to drop")
    elif plan.shared_with or plan.target.shared:
        users = ", ".join(plan.shared_with) or "other worktrees"
        sink.line(f"Keeping shared database {plan.target.label}: also used by {users}")
    elif keep_db:
        sink.line(f"Keeping database {plan.target.label} (--keep-db)")
    elif plan.target.schema is not None and is_reserved_schema(plan.target.schema):
        sink.line(f"Keeping schema {plan.target.label}: PostgreSQL's or wttui's own")
    else:
        services.strategy_for(worktree.branch).drop(plan.target, sink=sink)
    sink.step(f"Removed {worktree.label}")


def reset(
    services: Services, ref: str, *, force: bool = False, sink: LogSink, cancel: CancelToken
) -> None:
    """Drop, re-create and migrate the database of worktree `ref`.

    Raises:
        Refused: the database is shared with another worktree.
        DatabaseInUse: open sessions and not `force`.
    """
    worktree = services.resolve(ref)
    target = services.target(worktree)
    refuse_shared(target, "reset")
    if target.schema is not None and is_reserved_schema(target.schema):
        raise Refused(
            f"Schema {target.label} is PostgreSQL's or wttui's own: wttui never drops it",
            hint="drop what you need from it by hand",
        )
    shared = services.sharing(worktree, target)
    if shared:
        raise Refused(
            f"Database {target.label} is shared with {', '.join(shared)}; "
            "resetting it would wipe their data too",
            hint="give this worktree its own database instead",
        )
    strategy = services.strategy_for(worktree.branch)
    info = strategy.info(target)
    if info is not None and info.connections and not force:
        raise DatabaseInUse(
            f"Database {target.label} has {info.connections} open session(s)",
            hint="close them, or pass --force to terminate them",
        )
    sink.step(f"Reset {target.label} on {target.server}")
    cancel.check()
    strategy.drop(target, sink=sink, purge=True)
    strategy.provision(target, sink=sink)
    cancel.check()
    tool = services.migration_tool(worktree.path)
    sink.step(f"Migrating {target.label}")
    tool.apply(
        target.connect_url, context=services.apply_context(worktree), sink=sink, cancel=cancel
    )
    sink.step(f"{target.label} is reset")
