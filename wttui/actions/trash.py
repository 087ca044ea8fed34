"""The trash: undo the last drop (bringing its worktree back), restore one item, purge.

`undo` renames the item back; when its worktree was removed with it, the worktree is added
again on its branch (kept on remove) and its env file written; when the name was taken by a
database made since (a reset), the two trade places in one step, so undoing twice is a no-op.
"""

from __future__ import annotations

from pathlib import Path

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.plans_lifecycle import PurgePlan, UndoPlan
from wttui.errors import InvalidInput, WttuiError
from wttui.services import Services


def undo(services: Services, plan: UndoPlan, *, sink: LogSink, cancel: CancelToken) -> str:
    """Execute `plan`; the name that came back."""
    lifecycle = services.lifecycle
    item = next((i for i in lifecycle.trash.items() if i.name == plan.item.name), None)
    if item is None:
        raise InvalidInput(f"{plan.item.name} left the trash since the plan")
    cancel.check()
    worktree = None
    if plan.readd_worktree and item.branch:
        sink.step(f"Adding worktree {plan.path} back on branch {item.branch}")
        worktree = services.git.add_worktree(Path(plan.path), item.branch, entries=[])
    try:
        replaced = lifecycle.soft_drops().put_back(item, swap=plan.swap, sink=sink)
    except WttuiError:
        if worktree is not None:  # leave things as they were: the worktree goes again
            services.git.remove_worktree(worktree, force=True)
        raise
    if replaced is not None:
        sink.line(f"The database it replaced is in the trash as {replaced.name}")
    if worktree is not None:
        context = services.context(worktree)
        sink.step(f"Writing {services.config.env.url_key} to {context.env_file}")
        services.env.write(context, force=True)
    sink.step(f"{item.original} is back" + (f" with worktree {item.branch}" if worktree else ""))
    return item.original


def purge(services: Services, plan: PurgePlan, *, sink: LogSink, cancel: CancelToken) -> int:
    """Execute `plan`: drop its items for good; how many were still there."""
    lifecycle = services.lifecycle
    drops = lifecycle.soft_drops()
    wanted = {ref.name for ref in plan.items}
    gone = 0
    for item in lifecycle.trash.items():
        if item.name not in wanted:
            continue
        cancel.check()
        if drops.purge(item, sink=sink):
            gone += 1
    sink.step(f"Purged {gone} item(s) from the trash")
    return gone


def purge_expired(services: Services, *, keep: str = "", sink: LogSink) -> None:
    """What is older than `[cleanup] trash_days` goes for good (after every soft drop)."""
    from wttui.lifecycle.trash import expired

    lifecycle = services.lifecycle
    old = [
        item
        for item in expired(lifecycle.trash.items(), services.config.cleanup.trash_days)
        if item.name != keep
    ]
    if not old:
        return
    drops = lifecycle.soft_drops()
    sink.line(
        f"Purging {len(old)} trash item(s) older than {services.config.cleanup.trash_days} days"
    )
    for item in old:
        try:
            drops.purge(item, sink=sink)
        except WttuiError as exc:  # one that cannot go now stays for the next purge
            sink.line(f"{item.name}: {exc.message}", stream="warn")
