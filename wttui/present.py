"""Presentation: how wttui says things, for the CLI and the app alike (lazygit's presentation
package is the model). Pure functions from models to words; no I/O, no Textual.

States are always words (and a glyph), never colour alone; styles are Rich style strings the
app may use. Plans are described as lines (`describe`), printed by `--dry-run` and shown in the
app's confirmation dialogs, so both say exactly the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import humanize

from wttui.core.models import DbStatus, MigrationState, MigrationStatus, WorktreeView
from wttui.core.plans import (
    ContainerPlan,
    CreatePlan,
    EnvEdit,
    ExecPlan,
    MigratePlan,
    Plan,
    RemovePlan,
    ResetPlan,
    RollbackPlan,
)
from wttui.core.urls import mask_secrets, mask_url, url_secrets

if TYPE_CHECKING:
    from wttui.drift.analysis import DriftReport

STATE_WORDS: dict[MigrationState, tuple[str, str]] = {
    MigrationState.APPLIED: ("✓", "applied"),
    MigrationState.PENDING: ("⋯", "pending"),
    MigrationState.APPLIED_ELSEWHERE: ("↗", "elsewhere"),
    MigrationState.MODIFIED: ("≠", "MODIFIED"),
    MigrationState.FAILED: ("✗", "FAILED"),
    MigrationState.ROLLED_BACK: ("↶", "rolled back"),
}
"""Glyph and short word of each state (panes, `status`)."""

STATE_SENTENCES: dict[MigrationState, str] = {
    MigrationState.APPLIED: "applied",
    MigrationState.PENDING: "pending",
    MigrationState.APPLIED_ELSEWHERE: "applied elsewhere",
    MigrationState.MODIFIED: "modified after apply",
    MigrationState.FAILED: "failed",
    MigrationState.ROLLED_BACK: "rolled back",
}
"""Each state as it reads in a sentence or a report (`drift`)."""

STATE_STYLES: dict[MigrationState, str] = {
    MigrationState.APPLIED: "green",
    MigrationState.PENDING: "yellow",
    MigrationState.APPLIED_ELSEWHERE: "cyan",
    MigrationState.MODIFIED: "magenta bold",
    MigrationState.FAILED: "red bold",
    MigrationState.ROLLED_BACK: "yellow",
}


def size(num_bytes: int | None) -> str:
    """`8 MiB`; '' when unknown."""
    return "" if num_bytes is None else humanize.naturalsize(num_bytes, binary=True, format="%.0f")


def migration_name(status: MigrationStatus) -> str:
    """`20251016_add_mfa`, or the bare identity when the tool keeps no name."""
    return f"{status.version}_{status.name}" if status.name else status.version


def db_cell(view: WorktreeView) -> str:
    """The database column of the Worktrees pane: presence, size, shared."""
    if view.db_status is DbStatus.PRESENT:
        # A shared database says so where the list is scanned, not only in the Database pane.
        shared = " shared" if view.target and (view.target.shared or view.shared_with) else ""
        return f"✓ {size(view.database.size_bytes if view.database else None)}{shared}"
    if view.db_status is DbStatus.MISSING:
        return "– none"
    if view.db_status is DbStatus.STOPPED:
        return "■ stopped"
    return "? unknown"


def migrations_cell(view: WorktreeView) -> str:
    """`✓12 ⋯1` — applied first, then every other state with a count."""
    if view.db_status is not DbStatus.PRESENT:
        return ""
    return " ".join(f"{STATE_WORDS[state][0]}{n}" for state, n in view.counts.nonzero())


def migrations_words(view: WorktreeView) -> str:
    """`12 applied, 1 pending` (the CLI's table)."""
    if view.db_status is not DbStatus.PRESENT:
        return "-"
    return ", ".join(f"{n} {STATE_WORDS[state][1].lower()}" for state, n in view.counts.nonzero())


def database_words(view: WorktreeView) -> str:
    """`myapp_feat_x (8 MiB)`, `… (missing)` (the CLI's table)."""
    target = view.target
    if target is None:
        return "?"
    if view.db_status is DbStatus.PRESENT and view.database is not None:
        return f"{target.label} ({size(view.database.size_bytes or 0)})"
    word = {DbStatus.STOPPED: "stopped", DbStatus.MISSING: "missing"}.get(
        view.db_status, "unreachable"
    )
    return f"{target.label} ({word})"


# -- plans -------------------------------------------------------------------------------------


def describe(plan: Plan) -> list[str]:
    """What `plan` will touch, a line each: server, database, `.env` lines, worktree, files.
    Passwords are masked."""
    if isinstance(plan, CreatePlan):
        return _create(plan)
    if isinstance(plan, RemovePlan):
        return _remove(plan)
    if isinstance(plan, ResetPlan):
        target = plan.target
        lines = [
            f"worktree   {plan.worktree.label} at {plan.worktree.path}",
            f"server     {target.server}",
            f"database   {target.label} will be DROPPED, re-created and migrated"
            if plan.database_exists
            else f"database   {target.label} (missing) will be created and migrated",
        ]
        return lines + _overrides(plan.overrides)
    if isinstance(plan, MigratePlan):
        return _migrate(plan)
    if isinstance(plan, RollbackPlan):
        target = plan.target
        lines = [
            f"worktree   {plan.worktree.label} at {plan.worktree.path}",
            f"database   {target.label} on {target.server}",
            f"tool       {plan.tool}",
        ]
        lines += [f"revert     {migration_name(s)}" for s in plan.reverts]
        if plan.shared_with:
            lines.append(
                f"shared     with {', '.join(plan.shared_with)} (only this worktree's own)"
            )
        return lines
    if isinstance(plan, ExecPlan):
        target = plan.target
        lines = [
            f"command    {' '.join(plan.argv)}",
            f"in         {plan.worktree.path}",
            f"database   {target.label} on {target.server}",
        ]
        lines += [f"env        {key}" for key in plan.env]
        return lines + _overrides(plan.overrides)
    if isinstance(plan, ContainerPlan):
        return [
            f"{plan.verb:<10} container {plan.target.container} of {plan.worktree.label}",
            f"url        {plan.target.masked_url}",
        ]
    raise TypeError(f"not a plan: {plan!r}")


def _create(plan: CreatePlan) -> list[str]:
    target = plan.target
    if plan.worktree is None:
        kind = "existing branch" if plan.existing_branch else f"new from {plan.base or 'HEAD'}"
        where = f"worktree   {plan.path} (branch {plan.branch}, {kind})"
    else:
        done = "resume the create" if plan.resuming else "provision it"
        if plan.finish_checkout:
            done = f"git's checkout was stopped half way: finish it, then {done}"
        where = f"worktree   {plan.path} (exists: {done})"
    if plan.database_exists:
        action = "use (exists)" if plan.adopt or target.shared else "exists"
    else:
        action = "create"
    lines = [
        where,
        f"server     {target.server}",
        f"database   {target.label} ({target.description or target.strategy}): {action}",
        f"url        {target.masked_url}",
    ]
    lines += _env_lines(plan.env_file.name, plan.env_edits)
    lines.append("migrations apply every pending one with the worktree's tool")
    return lines


def _env_lines(file: str, edits: Iterable[EnvEdit]) -> list[str]:
    lines = []
    for edit in edits:
        secrets = url_secrets(edit.new) + url_secrets(edit.old or "")
        if not edit.changes:
            lines.append(f"{file:<10} {edit.key} already set")
            continue
        new = mask_secrets(mask_url(edit.new), secrets)
        if edit.old is None:
            lines.append(f"{file:<10} set {edit.key}={new}")
        else:
            old = mask_secrets(mask_url(edit.old), secrets)
            lines.append(f"{file:<10} change {edit.key}={old} → {new}")
    return lines


def _remove(plan: RemovePlan) -> list[str]:
    worktree = plan.worktree
    target = plan.target
    lines = [f"worktree   {worktree.label} at {worktree.path}: removed (branch kept)"]
    if target is None or not plan.database_exists:
        lines.append("database   none to drop")
    elif plan.will_drop:
        lines.append(f"database   {target.label} on {target.server} will be DROPPED")
        if plan.sessions:
            lines.append(f"           {plan.sessions} open session(s)")
    elif plan.shared_with or target.shared:
        users = ", ".join(plan.shared_with) or "other worktrees"
        lines.append(f"database   {target.label} is KEPT: also used by {users}")
    elif plan.keep_db:
        lines.append(f"database   {target.label} is KEPT (--keep-db)")
    else:
        lines.append(f"database   {target.label} is KEPT: PostgreSQL's or wttui's own schema")
    return lines + _overrides(plan.overrides)


def _migrate(plan: MigratePlan) -> list[str]:
    target = plan.target
    lines = [
        f"worktree   {plan.worktree.label} at {plan.worktree.path}",
        f"database   {target.label} on {target.server}",
        f"tool       {plan.tool}",
    ]
    if not plan.pending:
        return [*lines, "apply      nothing: no pending migration"]
    return lines + [f"apply      {migration_name(status)}" for status in plan.pending]


def _overrides(overrides: Iterable[str]) -> list[str]:
    return [f"forced     {text}" for text in overrides]


# -- drift -------------------------------------------------------------------------------------


def drift_lines(report: DriftReport, branch: str, worktree: str) -> list[str]:
    """The report as it concerns one worktree's branch, a line per finding (the app's view)."""
    lines = [
        f"{r.version}_{r.name}: {STATE_SENTENCES[r.state]}"
        + (f" (in {', '.join(r.found_in)})" if r.found_in else "")
        for r in report.not_everywhere
        if r.worktree == worktree
    ]
    for collision in report.collisions:
        if any(b == branch for b, _ in collision.uses):
            uses = ", ".join(f"{b}: {n}" for b, n in collision.uses if b != branch)
            lines.append(f"version {collision.version} also used by {uses}")
    lines += [
        f"{o.version}_{o.name} is older than {report.main}'s newest {o.main_newest}"
        for o in report.out_of_order
        if o.branch == branch
    ]
    for conflict in report.conflicts:
        if branch in conflict.branches:
            other = next(b for b in conflict.branches if b != branch)
            lines.append(f"changes {', '.join(conflict.tables)} like {other} does")
    order = [b for b, _ in report.merge_order]
    if branch in order:
        lines.append(
            f"merge {order.index(branch) + 1} of {len(order)} (oldest new migration first)"
        )
    lines += [f"name {w.version}_{w.name}: {w.reason}" for w in report.names if w.branch == branch]
    return lines or [f"{branch}: no drift"]
