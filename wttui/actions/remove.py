"""Destructive actions on one worktree: remove it (F12) or reset its database (F41).

The plan has checked everything (the main worktree, sharing, uncommitted changes, open
sessions) and the user has confirmed it; these only execute. Drops are soft unless `[cleanup]
trash_days = 0`: the database (schema, container) goes to the trash, `wttui undo` brings it
back, and what is older than `trash_days` is purged on the way. A reset takes a snapshot first
(`[snapshots] before_destructive`). A session opened on the database after the plan is not
ended unless the plan was forced: the action looks again before it changes anything
(`late_sessions`) and stops with nothing done. One opened in the instant between that look and
the drop stops the remove after the worktree went: the error says so, and the same remove run
again finishes it (`unfinished_remove`).
"""

from __future__ import annotations

from wttui import unfinished_remove
from wttui.actions.late_sessions import HINT, refuse_late_sessions
from wttui.actions.seed import configured, run_seeds
from wttui.actions.templates import provision_from_template
from wttui.actions.trash import purge_expired
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.plans import RemovePlan, ResetPlan
from wttui.errors import DatabaseInUse
from wttui.plans_lifecycle import template_cache_applies
from wttui.services import Services


def remove(services: Services, plan: RemovePlan, *, sink: LogSink, cancel: CancelToken) -> None:
    """Remove the worktree of `plan`, then trash (or drop) its database if the plan says so."""
    worktree = plan.worktree
    target = plan.target
    if plan.will_drop and target is not None and plan.database_exists:
        context = services.context(worktree, target=target)
        refuse_late_sessions(context, force=plan.force, action="remove")
    sink.step(f"Remove worktree {worktree.label} at {worktree.path}")
    cancel.check()
    if worktree.prunable:
        sink.line("Its directory is already gone: pruning the metadata")
    if plan.will_drop:  # killed before the drop, the same remove finishes it
        unfinished_remove.begin(services, worktree)
    services.git.remove_worktree(worktree, force=plan.force)
    try:
        _database_step(services, plan, sink=sink)
    except DatabaseInUse as exc:  # opened in the instant since the look above
        raise DatabaseInUse(
            f"Worktree {worktree.label} was removed, but its database was kept: {exc.message}",
            hint=f"{HINT}, then run `wttui remove {worktree.branch or worktree.path}` again "
            "to drop it",
        ) from None
    unfinished_remove.done(services, worktree)
    sink.step(f"Removed {worktree.label}")


def _database_step(services: Services, plan: RemovePlan, *, sink: LogSink) -> None:
    """What becomes of the removed worktree's database: trashed, dropped, or kept (why)."""
    worktree = plan.worktree
    target = plan.target
    if target is None or not plan.database_exists:
        sink.line("No database to drop")
    elif plan.will_drop and plan.trash:
        item = services.lifecycle.soft_drops().trash(
            target,
            worktree=worktree,
            reason="remove",
            worktree_removed=True,
            force=plan.force,
            sink=sink,
        )
        sink.line(f"`wttui undo` brings back {worktree.label} and {item.original}")
        purge_expired(services, keep=item.name, sink=sink)
    elif plan.will_drop:
        strategy = services.strategy_for(worktree.branch)
        strategy.drop(target, sink=sink, force=plan.force)
    elif plan.shared_with or target.shared:
        users = ", ".join(plan.shared_with) or "other worktrees"
        sink.line(f"Keeping shared database {target.label}: also used by {users}")
    elif plan.keep_db:
        sink.line(f"Keeping database {target.label} (--keep-db)")
    else:
        sink.line(f"Keeping schema {target.label}: PostgreSQL's or wttui's own")


def reset(services: Services, plan: ResetPlan, *, sink: LogSink, cancel: CancelToken) -> None:
    """Snapshot, trash (or drop), re-create and migrate the database of `plan`'s worktree."""
    from wttui.actions.snapshot import before

    context = services.context(plan.worktree, target=plan.target)
    target = plan.target
    if plan.database_exists:
        refuse_late_sessions(context, force=plan.force, action="reset")
    sink.step(f"Reset {target.label} on {target.server}")
    cancel.check()
    if plan.snapshot_first and plan.database_exists:
        before(services, context, "reset", sink=sink, cancel=cancel)
    cancel.check()
    if plan.trash and plan.database_exists:
        drops = services.lifecycle.soft_drops()
        item = drops.trash(
            target,
            worktree=plan.worktree,
            reason="reset",
            whole_container=False,
            force=plan.force,
            sink=sink,
        )
        drops.fresh_database(target)
        purge_expired(services, keep=item.name, sink=sink)
    else:
        context.strategy.drop(target, sink=sink, purge=True, force=plan.force)
    cloned = None
    if template_cache_applies(services, context) and context.strategy.info(target) is None:
        cloned = provision_from_template(services, context, sink=sink, cancel=cancel)
    if cloned is None:
        context.strategy.provision(target, sink=sink, owned=True, cancel=cancel)
    cancel.check()
    sink.step(f"Migrating {target.label}")
    context.tool.apply(
        target.connect_url, context=context.apply_context(), sink=sink, cancel=cancel
    )
    if configured(services):
        run_seeds(services, context, sink=sink, cancel=cancel)
    sink.step(f"{target.label} is reset")
