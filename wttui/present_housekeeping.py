"""Words for housekeeping: sync, orphan and fix plans, the hook plan, orphan and doctor lines.

Like `wttui.present` (which hands these plans to `describe_housekeeping`): pure functions,
passwords masked, the same lines for `--dry-run` and the app's dialogs.
"""

from __future__ import annotations

from datetime import UTC, datetime

from wttui.core.ages import short_age
from wttui.core.housekeeping import (
    Check,
    CheckStatus,
    CleanPlan,
    DbStep,
    FixPlan,
    HooksPlan,
    HousekeepingPlan,
    Orphan,
    OrphanKind,
    OrphanReport,
    SyncItem,
    SyncPlan,
)
from wttui.present import size
from wttui.present_plans import _env_lines

CHECK_WORDS = {
    CheckStatus.OK: "✓ ok",
    CheckStatus.INFO: "· info",
    CheckStatus.WARN: "⚠ warn",
    CheckStatus.FAIL: "✗ FAIL",
}
CHECK_STYLES = {
    CheckStatus.OK: "green",
    CheckStatus.INFO: "",
    CheckStatus.WARN: "yellow",
    CheckStatus.FAIL: "red bold",
}

_REMOVE = {
    OrphanKind.DATABASE: "drop database",
    OrphanKind.SCHEMA: "drop schema (CASCADE)",
    OrphanKind.CONTAINER: "remove container and its volume",
    OrphanKind.VOLUME: "remove volume",
    OrphanKind.TEMPLATE: "drop template",
    OrphanKind.TRASH: "purge",
    OrphanKind.WORKTREE: "prune git metadata of",
}


def describe_housekeeping(plan: HousekeepingPlan) -> list[str]:
    if isinstance(plan, SyncPlan):
        return _sync(plan)
    if isinstance(plan, CleanPlan):
        return _clean(plan)
    if isinstance(plan, FixPlan):
        lines = [f"fix        {check.name}: {check.fix}" for check in plan.checks]
        return lines or ["fix        nothing: no safe fix applies"]
    return _hooks(plan)


def sync_item_lines(item: SyncItem) -> list[str]:
    worktree = item.worktree
    target = item.target
    lines = [f"worktree   {worktree.label} at {worktree.path}"]
    if item.database is DbStep.NONE:
        lines.append("database   none (strategy none): nothing to make")
    else:
        database = {
            DbStep.EXISTS: "exists",
            DbStep.CREATE: "create it, then apply its migrations",
            DbStep.START: "start its container",
            DbStep.HAND_OVER: "belongs to another role: hand it, and everything in it, to the "
            "role its worktree connects as",
        }[item.database]
        if item.database is DbStep.CREATE and not item.migrations and not item.migrations_error:
            database = "create it (no migrations to apply)"
        lines.append(f"database   {target.label} on {target.server}: {database}")
        lines += [f"apply      {label}" for label in item.migrations]
        if item.migrations_error:
            lines.append(f"migrations cannot be read: {item.migrations_error}")
    changes = item.changes
    lines += (
        _env_lines(item.env_file.name, changes)
        if changes
        else [f"{item.env_file.name:<10} up to date"]
    )
    lines += [f"replace    hand-set {key}" for key in item.hand_set]
    return lines


def _sync(plan: SyncPlan) -> list[str]:
    lines: list[str] = []
    for item in plan.items:
        if not item.in_line:
            lines += sync_item_lines(item)
        elif item.database is DbStep.NONE:
            lines.append(f"no db      {item.worktree.label} (strategy none): nothing to sync")
        elif item.migrations_error:
            lines.append(
                f"unread     {item.worktree.label} ({item.target.label}, {item.env_file.name}):"
                f" its migrations cannot be read: {item.migrations_error}"
            )
        else:
            lines.append(
                f"in line    {item.worktree.label} ({item.target.label}, {item.env_file.name})"
            )
    lines += [f"skipped    {label}: {why}" for label, why in plan.skipped]
    return lines or ["nothing    no worktree to sync"]


def ago(moment: datetime | None) -> str:
    if moment is None:
        return "unknown"
    return f"{short_age(datetime.now(UTC) - moment)} ago"


def orphan_line(orphan: Orphan) -> str:
    """`database  shop_old (8 MiB, last modified 3d ago)`."""
    facts = [size(orphan.size_bytes)] if orphan.size_bytes is not None else []
    if orphan.used_how:
        facts.append(f"{orphan.used_how} {ago(orphan.last_used)}")
    if orphan.sessions:
        facts.append(f"{orphan.sessions} open session(s)")
    if orphan.note:
        facts.append(orphan.note)
    return f"{orphan.kind.value:<10} {orphan.name}" + (f" ({', '.join(facts)})" if facts else "")


def _orphan_what(orphan: Orphan) -> str:
    """`orphan_line` without its kind (`shop_old (8 MiB, …)`): what the cleanup names after
    its verb (a kind of two words, `worktree metadata`, is no longer split in half)."""
    return orphan_line(orphan).removeprefix(f"{orphan.kind.value:<10}").lstrip()


def report_lines(report: OrphanReport) -> list[str]:
    lines = [orphan_line(orphan) for orphan in report.orphans] or ["no orphans"]
    lines += [f"unchecked  {why}" for why in report.unchecked]
    if report.orphans:
        lines.append(f"total      {size(report.orphan_bytes) or '0 B'} in orphans")
    if report.live_bytes is not None:
        lines.append(f"live       {size(report.live_bytes) or '0 B'} used by live worktrees")
    return lines


def _clean(plan: CleanPlan) -> list[str]:
    lines = []
    for orphan in plan.orphans:
        lines.append(f"{_REMOVE[orphan.kind]} {_orphan_what(orphan)}")
    lines += [f"left alone {why}" for why in plan.unchecked]
    if not plan.orphans:
        return [*lines, "nothing    no orphans to remove"]
    return [*lines, f"frees      {size(plan.freed_bytes) or '0 B'} in total"]


def _hooks(plan: HooksPlan) -> list[str]:
    words = {
        "create": "create it with wttui's block",
        "append": "append wttui's block (the hook's own lines stay and run first)",
        "update": "replace wttui's older block",
        "remove": "remove it (only wttui's block was in it)",
        "strip": "remove wttui's block (the hook's own lines stay)",
        "none": "nothing to do: " + ("installed already" if plan.verb == "install" else "absent"),
    }
    return [
        f"hook       {plan.hook} ({plan.hooks_dir_source})",
        f"{plan.verb:<10} {words[plan.action]}",
    ]


def check_line(check: Check) -> str:
    where = f"[{check.worktree}] " if check.worktree else ""
    return f"{CHECK_WORDS[check.status]:<7} {check.name}: {where}{check.detail}"
