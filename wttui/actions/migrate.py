"""Migrate and roll back one worktree's database with its migration tool."""

from __future__ import annotations

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.plans import MigratePlan, RollbackPlan
from wttui.errors import Refused
from wttui.services import Services


def migrate(services: Services, plan: MigratePlan, *, sink: LogSink, cancel: CancelToken) -> int:
    """Apply the pending migrations `plan` names. Returns how many ran."""
    context = services.context(plan.worktree, target=plan.target)
    target = plan.target
    sink.step(f"Migrate {target.label} on {target.server} from {plan.worktree.label}")
    applied = context.tool.apply(
        target.connect_url, context=context.apply_context(), sink=sink, cancel=cancel
    )
    sink.line(f"{applied} migration(s) applied" if applied else "No pending migrations")
    return applied


def rollback(services: Services, plan: RollbackPlan, *, sink: LogSink, cancel: CancelToken) -> int:
    """Revert the migrations `plan` names (and only those). Returns how many were reverted.

    Raises:
        Refused: the database changed since the plan, so the tool would now revert others.
    """
    context = services.context(plan.worktree, target=plan.target)
    target = plan.target
    tool = context.tool
    now = tool.rollback_targets(tool.status(target.connect_url), len(plan.reverts))
    if [s.version for s in now] != [s.version for s in plan.reverts]:
        raise Refused(
            f"{target.label} changed since the rollback was planned: the newest migrations are "
            f"now {', '.join(s.version for s in now)}",
            hint="look at the migrations again and roll back once more",
        )
    sink.step(f"Roll back {len(plan.reverts)} migration(s) of {target.label} on {target.server}")
    reverted = tool.rollback(
        target.connect_url,
        steps=len(plan.reverts),
        context=context.apply_context(),
        sink=sink,
        cancel=cancel,
    )
    sink.line(f"{reverted} migration(s) rolled back")
    return reverted
