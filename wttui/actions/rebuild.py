"""`wttui rebuild BRANCH --to M` (F37): seed 2's emergency rollback as one action.

1. a snapshot of the current state (`[snapshots] before_destructive`);
2. a new database migrated up to M with the worktree's own tool;
3. the data of every table in both copied across (tables whose columns differ, or that the
   migrations filled, listed with the reason);
4. the two swapped by rename in one step, the old database in the trash;
then the notice seed 2's step 4 sends to the teams, with the downtime.
"""

from __future__ import annotations

import time
from dataclasses import replace

from wttui.core.lifecycle_names import work_name
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DbTarget
from wttui.core.plans_lifecycle import RebuildPlan
from wttui.core.urls import mask_url, with_database
from wttui.errors import InvalidInput
from wttui.present_lifecycle import rebuild_notice
from wttui.services import Services


def rebuild(
    services: Services,
    plan: RebuildPlan,
    *,
    sink: LogSink,
    cancel: CancelToken,
    notice_to_sink: bool = True,
) -> list[str]:
    """Execute `plan`; the notice for the teams (also written to `sink` unless the caller
    prints it itself: the CLI puts it on stdout)."""
    from wttui.actions.snapshot import before
    from wttui.lifecycle.ownership import hand_to_worktree, worktree_role
    from wttui.lifecycle.rebuild import apply_until, copy_data

    started = time.monotonic()
    target = plan.target
    context = services.context(plan.worktree, target=target)
    tool = context.tool
    local = tool.local()
    upto = next((i for i, m in enumerate(local) if m.version == plan.to.version), None)
    if upto is None:
        raise InvalidInput(f"{plan.to.version} left {context.label}'s folder since the plan")
    sink.step(f"Rebuild {target.label} on {target.server} up to {plan.to.version}")
    if plan.snapshot_first:
        before(services, context, "rebuild", sink=sink, cancel=cancel)
    copies = services.lifecycle.copies()
    work = work_name("rebuild", target.name)
    copies.drop(work, force=True)  # left by a rebuild that died half way
    sink.step(f"Creating {work} and migrating it up to {plan.to.version} with {tool.name}")
    # Built as the worktree's role where wttui has one (its objects then are the role's, as
    # a replay's are), by the admin elsewhere; the data is copied by the admin either way.
    role = worktree_role(services.server, target)
    copies.provider.create_database(
        work, template=services.config.database.template or None, owner=role
    )
    url = _renamed(target, work).url if role else copies.provider.url_for(work)
    try:
        env = services.env_values(_renamed(target, work), context.label)
        apply_context = replace(context.apply_context(), env=env)
        apply_until(tool, url, local[: upto + 1], context=apply_context, sink=sink, cancel=cancel)
        sink.step(f"Copying the data of {target.label} into {work}")
        report = copy_data(
            copies.provider.url_for(target.name),
            copies.provider.url_for(work),
            sink=sink,
            cancel=cancel,
        )
        hand_to_worktree(services.server, target, work)
        cancel.check()
    except BaseException:
        copies.drop(work, force=True)
        raise
    for name, reason in report.skipped:
        sink.line(f"Skipped {name}: {reason}", stream="warn")
    rows = sum(count for _, count in report.copied)
    sink.line(f"Copied {len(report.copied)} table(s), {rows} row(s)")
    item = services.lifecycle.soft_drops().swap_in(
        target, work, worktree=plan.worktree, reason="rebuild", sink=sink
    )
    sink.line(f"The old database is in the trash as {item.name} (`wttui undo` swaps back)")
    notice = rebuild_notice(plan, time.monotonic() - started)
    sink.step("Send this to every team using the database:")
    for line in notice if notice_to_sink else ():
        sink.line(line)
    return notice


def _renamed(target: DbTarget, name: str) -> DbTarget:
    url = with_database(target.url, name)
    return replace(target, name=name, url=url, masked_url=mask_url(url), conninfo="")
