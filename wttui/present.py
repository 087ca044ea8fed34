"""Presentation: how wttui says things, for the CLI and the app alike (lazygit's presentation
package is the model). Pure functions from models to words; no I/O, no Textual.

States are always words (and a glyph), never colour alone; styles are Rich style strings the
app may use. Plans are described in `present_plans.py` (kept apart so that the app's first
frame and `status` never import the plan models).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import humanize

from wttui.core.models import (
    DbStatus,
    MigrationState,
    MigrationStatus,
    MigrationWarning,
    WorktreeView,
)
from wttui.core.versions import migration_label

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


def progress_words(done: int, total: int, label: str = "") -> str:
    """How far a measured step is: `pg_dump: 42% (120.3 MiB of 286.1 MiB)`."""
    share = min(100, done * 100 // total) if total > 0 else 0

    def amount(num_bytes: int) -> str:
        return humanize.naturalsize(num_bytes, binary=True, format="%.1f")

    words = f"{share}% ({amount(min(done, total))} of {amount(total)})"
    return f"{label}: {words}" if label else words


def migration_name(status: MigrationStatus) -> str:
    """`20251016_add_mfa`, or the bare identity when it holds the name (Prisma's folders) or
    the tool keeps none; Drizzle's tag (`core.versions.migration_label`)."""
    return migration_label(status.version, status.name)


def migration_file(status: MigrationStatus) -> str:
    """The migration's file as its detail line names it: the file, or its folder when every
    migration's file has one name (Prisma's `…_create_users/`, not `migration.sql`)."""
    if status.file is None:
        return migration_name(status)
    file = status.file
    if file.name.split(".", 1)[0] == "migration":
        return f"{file.parent.name}/"  # the folder is the migration
    return file.name


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
    if view.db_status is DbStatus.NONE:
        return "· no db"
    return "? unknown"


def migrations_cell(view: WorktreeView, *, words: bool = False) -> str:
    """`✓12 ⋯1` — applied first, then every other state with a count; `⚠` when the counts
    alone would mislead (`view.migration_warnings`). With `words` (where the list has room)
    each state but applied says its word, so it reads without colour: `✓12 ⋯1 pending`."""
    if view.db_status is not DbStatus.PRESENT:
        return ""
    if view.errors and not view.migrations:
        return "⚠ unread"  # nothing could be read: no count (a ✓0 would say all is well)
    cell = " ".join(
        f"{STATE_WORDS[state][0]}{n}"
        + (f" {STATE_WORDS[state][1]}" if words and state is not MigrationState.APPLIED else "")
        for state, n in view.counts.nonzero()
    )
    if view.migration_warnings:
        cell += " ⚠ warning" if words else " ⚠"
    return cell


def migrations_words(view: WorktreeView) -> str:
    """`12 applied, 1 pending` (the CLI's table), `…, ⚠ 1 warning`."""
    if view.db_status is not DbStatus.PRESENT:
        return "-"
    words = ", ".join(f"{n} {STATE_WORDS[state][1].lower()}" for state, n in view.counts.nonzero())
    count = len(view.migration_warnings)
    return f"{words}, ⚠ {count} warning{'s' if count > 1 else ''}" if count else words


def warning_line(warning: MigrationWarning) -> str:
    """A migration warning as one line, with its hint."""
    return f"{warning.message} ({warning.hint})" if warning.hint else warning.message


def tool_words(view: WorktreeView) -> str:
    """`prisma, from packages/prisma/schema.prisma`: the tool in force and what decided it."""
    if view.tool is None:
        return ""
    if view.tool_source:
        return f"{view.tool}, from {view.tool_source}"
    return f"{view.tool} (no tool's files found)" if view.tool == "sql" else view.tool


def database_words(view: WorktreeView) -> str:
    """`myapp_feat_x (8 MiB)`, `… (missing)` (the CLI's table)."""
    target = view.target
    if target is None:
        return "?"
    if target.none:
        return "none (no database)"
    if view.db_status is DbStatus.PRESENT and view.database is not None:
        return f"{target.label} ({size(view.database.size_bytes or 0)})"
    word = {DbStatus.STOPPED: "stopped", DbStatus.MISSING: "missing"}.get(
        view.db_status, "unreachable"
    )
    return f"{target.label} ({word})"


# -- plans -------------------------------------------------------------------------------------


def drift_lines(report: DriftReport, branch: str, worktree: str) -> list[str]:
    """The report as it concerns one worktree's branch, a line per finding (the app's view)."""
    lines = [
        f"{r.label or r.version}: {STATE_SENTENCES[r.state]}"
        + (f", out of order: {r.note}" if r.out_of_order and r.note else "")
        + (f" (in {', '.join(r.found_in)})" if r.found_in else "")
        for r in report.not_everywhere
        if r.worktree == worktree
    ]
    for collision in report.collisions:
        if any(b == branch for b, _ in collision.uses):
            uses = ", ".join(f"{b}: {n}" for b, n in collision.uses if b != branch)
            lines.append(f"version {collision.version} also used by {uses}")
    lines += [
        f"{o.label or o.version} is older than {report.main}'s newest {o.main_newest}"
        + (f": {o.note}" if o.note else "")
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
    lines += [
        f"name {w.label or w.version}: {w.reason}" for w in report.names if w.branch == branch
    ]
    lines += [
        f"lock {migration_label(r.version, r.name)} line {r.line}: {r.rule}: {r.help or r.message}"
        for r in report.lock_risks
        if r.branch == branch
    ]
    return lines or [f"{branch}: no drift"]
