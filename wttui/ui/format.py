"""Small text helpers shared by panes: states as words and glyphs, never colour alone.

The words themselves live in `wttui.present`, shared with the CLI.
"""

from __future__ import annotations

from datetime import UTC, datetime

from wttui.core.models import WorktreeView
from wttui.present import (
    STATE_STYLES,
    STATE_WORDS,
    db_cell,
    migration_file,
    migration_name,
    migrations_cell,
    size,
    warning_line,
)

__all__ = [
    "STATE_LABELS",
    "STATE_STYLES",
    "db_cell",
    "migration_file",
    "migration_name",
    "migrations_cell",
    "size",
    "warning_line",
]

STATE_LABELS = STATE_WORDS  # the panes' name for them


def now() -> datetime:
    """The clock the panes use (tests freeze it so humanized ages are stable)."""
    return datetime.now(UTC)


def age(moment: datetime | None) -> str:
    """A compact age: `40s`, `12m`, `3h`, `5d`, `7w` (columns are narrow at 60 columns)."""
    if moment is None:
        return ""
    seconds = max(0, int((now() - moment).total_seconds()))
    for unit, size_ in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size_:
            return f"{seconds // size_}{unit}"
    return f"{seconds}s"


def sync_cell(view: WorktreeView) -> str:
    worktree = view.worktree
    parts = []
    if worktree.ahead:
        parts.append(f"↑{worktree.ahead}")
    if worktree.behind:
        parts.append(f"↓{worktree.behind}")
    return "".join(parts)


def branch_cell(view: WorktreeView) -> str:
    worktree = view.worktree
    flags = ""
    if worktree.is_main:
        flags += " (main)"
    if worktree.dirty:
        flags += " ●"
    if worktree.ahead or worktree.behind:
        flags += " " + sync_cell(view)
    if worktree.locked:
        flags += " [locked]"
    if worktree.prunable:
        flags += " [gone]"
    if view.errors:
        flags += " ⚠"
    return worktree.label + flags
