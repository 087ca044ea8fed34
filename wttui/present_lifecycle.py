"""Words for the database lifecycle's plans and listings (issue 9), for the CLI and the app.
Pure functions from plans and records to lines; `present_plans.describe` hands lifecycle plans here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import humanize

from wttui.core.ages import short_age
from wttui.core.plans_lifecycle import (
    ClonePlan,
    DbTestPlan,
    LifecyclePlan,
    PurgePlan,
    RebuildPlan,
    RestorePlan,
    SeedPlan,
    SnapshotDeletePlan,
    SnapshotPlan,
    TemplatesPrunePlan,
    UndoPlan,
)


def undo_title(plan: UndoPlan, *, picked: bool = False) -> str:
    """What an undo is called while it runs and in the log: `undo remove feat/x` (what put the
    item in the trash, and whose it was), or `restore shop_feat_x from trash` when the item was
    picked from the trash by name (`trash restore NAME`, the app's trash list)."""
    item = plan.item
    if picked:
        return f"restore {item.original} from trash"
    whose = item.branch or item.worktree or item.original
    return f"undo {item.reason} {whose}" if item.reason else f"undo {whose}"


def size(num_bytes: int | None) -> str:
    return "" if num_bytes is None else humanize.naturalsize(num_bytes, binary=True, format="%.0f")


def age(when: datetime | str, now: datetime | None = None) -> str:
    """`3m ago`: the app's compact age, so the CLI and the app read alike."""
    moment = datetime.fromisoformat(when) if isinstance(when, str) else when
    return f"{short_age((now or datetime.now(UTC)) - moment)} ago"


def rebuild_notice(plan: RebuildPlan, downtime: float | None = None) -> list[str]:
    """The message seed 2's step 4 sends to every team after an emergency rollback."""
    to = f"{plan.to.version}_{plan.to.name}" if plan.to.name else plan.to.version
    took = f"{downtime:.1f} s" if downtime is not None else "[duration]"
    removed = ", ".join(plan.dropped) or "none"
    return [
        "🚨 DATABASE ROLLBACK COMPLETED 🚨",
        "",
        f"Rolled back to: {to}",
        f"Database: {plan.target.label} on {plan.target.server}",
        "Reason: [description]",
        f"Impact: migrations after {to} removed ({removed})",
        "Action Required:",
        "- Pull latest from main",
        "- Re-generate your client and validate your local schema (`wttui status`)",
        "",
        f"Downtime: {took}",
    ]


def describe_lifecycle(plan: LifecyclePlan) -> list[str]:
    """What a lifecycle plan will touch, a line each (passwords never appear in plans)."""
    if isinstance(plan, SnapshotPlan):
        lines = [
            f"database   {plan.target.label} on {plan.target.server}",
            f"snapshot   {plan.name} ({plan.method})",
        ]
        return lines + [f"delete     {name} ([snapshots] keep)" for name in plan.beyond_keep]
    if isinstance(plan, SnapshotDeletePlan):
        snap = plan.snapshot
        what = f"{snap.method}, {size(snap.size_bytes)}"
        return [f"delete     snapshot {snap.name} of {snap.worktree} ({what})"]
    if isinstance(plan, RestorePlan):
        snap = plan.snapshot
        lines = [
            f"database   {plan.target.label} on {plan.target.server} is REPLACED",
            f"snapshot   {snap.name} taken {snap.created} ({snap.migration or 'no migrations'})",
        ]
        if plan.snapshot_first:
            lines.append("first      a snapshot of the current state")
        return lines + ["old        moved to the trash (`wttui undo` swaps back)"]
    if isinstance(plan, UndoPlan):
        item = plan.item
        lines = [f"{item.kind:<10} {item.name} → {item.original} (from {item.reason})"]
        if plan.swap:
            lines.append(f"swap       the current {item.original} goes to the trash")
        if plan.readd_worktree:
            lines.append(f"worktree   {item.branch} added back at {plan.path}")
        return lines
    if isinstance(plan, PurgePlan):
        if not plan.items:
            return [f"purge      nothing in the trash is older than {plan.older_than}"]
        return [
            f"purge      {i.kind} {i.name} (from {i.worktree or 'no worktree'})" for i in plan.items
        ]
    if isinstance(plan, ClonePlan):
        return [
            f"from       {plan.source_target.label} of {plan.source.label}",
            f"into       {plan.target.label} of {plan.worktree.label} on {plan.target.server}"
            + (" (REPLACED; the old one goes to the trash)" if plan.target_exists else ""),
            f"method     {plan.method}",
        ]
    if isinstance(plan, SeedPlan):
        lines = [f"database   {plan.target.label} on {plan.target.server}"]
        lines += [
            f"file       {name}" + ("" if there else " (missing: skipped)")
            for name, there in plan.files
        ]
        if plan.command:
            lines.append(f"command    {plan.command}")
        if plan.shared:
            lines.append("shared     every worktree using this database sees the rows")
        return lines
    if isinstance(plan, DbTestPlan):
        target = plan.target
        return [
            f"database   {target.label} on {target.server} (throwaway"
            + (", exists: re-made" if plan.exists else "")
            + ")",
            "migrations from the template cache when it can, then the worktree's tool",
            f"command    {' '.join(plan.argv)} in {plan.worktree.path}",
            "afterwards "
            + ("kept (--keep)" if plan.keep else "dropped (also on failure or Ctrl-C)"),
        ]
    if isinstance(plan, RebuildPlan):
        to = f"{plan.to.version}_{plan.to.name}" if plan.to.name else plan.to.version
        lines = [
            f"database   {plan.target.label} on {plan.target.server}"
            + (" (SHARED)" if plan.shared else ""),
            f"rebuild    up to {to} with the worktree's tool",
        ]
        lines += [f"drop       {name} (applied after {to})" for name in plan.dropped]
        if plan.snapshot_first:
            lines.insert(1, "first      a snapshot of the current state")
        lines.append("data       copied for every table in both (others listed, with why)")
        return lines + ["swap       by rename in one step; the old database goes to the trash"]
    if isinstance(plan, TemplatesPrunePlan):
        return [f"drop       template {name}" for name in plan.names] or [
            "prune      nothing: every template is still the nearest of some worktree"
        ]
    raise TypeError(f"not a lifecycle plan: {plan!r}")
