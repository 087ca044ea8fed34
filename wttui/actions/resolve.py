"""Mark a migration applied or rolled back without running it, as its plan says."""

from __future__ import annotations

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import MigrationStatus
from wttui.core.plans import ResolvePlan
from wttui.errors import Refused
from wttui.services import Services


def resolve(
    services: Services, plan: ResolvePlan, *, sink: LogSink, cancel: CancelToken
) -> MigrationStatus:
    """Mark `plan.migration` through its tool, under the database's migration lock; returns the
    migration as it is afterwards.

    Raises:
        Refused: the database changed since the plan, so the tool would now do something else.
        MigrationFailed: the tool's command failed, or the mark did not take.
    """
    context = services.context(plan.worktree, target=plan.target)
    target = plan.target
    tool = context.tool
    version = plan.migration.version
    apply_context = context.apply_context()
    _, step = tool.resolution(
        target.connect_url, version, applied=plan.applied, context=apply_context
    )
    if (step.command, step.how) != (plan.command, plan.how):
        raise Refused(
            f"{target.label} changed since resolve was planned: {tool.name} would now do "
            "something else",
            hint="look at the migrations again and resolve once more",
        )
    word = "applied" if plan.applied else "rolled back"
    sink.step(f"Resolve {version} as {word} in {target.label} on {target.server}")
    return tool.resolve(
        target.connect_url,
        version,
        applied=plan.applied,
        context=apply_context,
        sink=sink,
        cancel=cancel,
    )
