"""Remove the orphans a clean plan names (F50), each checked again just before it goes.

Databases, schemas and containers go through their strategy's `drop` (so a soft drop into the
trash, where the lifecycle has one, applies here too); volumes through the Docker engine; stale
worktree metadata through `git worktree prune`. Something a live worktree started to use since
the plan is kept and said so; one that is already gone is skipped.
"""

from __future__ import annotations

from wttui.core.housekeeping import CleanPlan, Orphan, OrphanKind
from wttui.core.logsink import CancelToken, LogSink
from wttui.errors import WttuiError
from wttui.services import Services

_STRATEGY = {
    OrphanKind.DATABASE: "database",
    OrphanKind.TEMPLATE: "database",
    OrphanKind.TRASH: "database",
    OrphanKind.SCHEMA: "schema",
    OrphanKind.CONTAINER: "container",
}


def clean(
    services: Services, plan: CleanPlan, *, sink: LogSink, cancel: CancelToken
) -> list[Orphan]:
    """Remove the plan's orphans; returns those removed.

    Raises:
        DatabaseInUse: a session opened on an orphan since the plan (and it was not forced).
        Cancelled: the user cancelled (what was removed so far stays removed).
    """
    from wttui.orphans import live  # the read model: what live worktrees use now

    now_used = live(services)
    removed = []
    pruned = False
    for orphan in plan.orphans:
        cancel.check()
        if orphan.target is not None and now_used.uses(
            orphan.target.key, orphan.target.url or None
        ):
            sink.line(f"Keeping {orphan.name}: a live worktree uses it now", stream="warn")
            continue
        if orphan.kind is OrphanKind.WORKTREE:
            if not pruned:
                sink.step("Pruning git's metadata of worktrees whose directory is gone")
                forgotten = services.git.prune()
                pruned = True
                sink.line(f"Forgot {len(forgotten)} worktree(s)")
            removed.append(orphan)
            continue
        if orphan.kind is OrphanKind.VOLUME:
            sink.step(f"Removing volume {orphan.name}")
            if services.remove_volume(orphan.name):
                removed.append(orphan)
            else:
                sink.line(f"Volume {orphan.name} was already gone")
            continue
        assert orphan.target is not None
        strategy = services.strategy(_STRATEGY[orphan.kind])
        try:
            gone = strategy.drop(orphan.target, sink=sink, purge=True, force=plan.force)
        except WttuiError as exc:
            sink.line(f"{orphan.name}: {exc.message}", stream="err")
            raise
        if gone:
            removed.append(orphan)
    freed = sum(orphan.size_bytes or 0 for orphan in removed)
    from wttui.present import size

    sink.step(f"Removed {len(removed)} orphan(s), {size(freed) or '0 B'} freed")
    return removed
