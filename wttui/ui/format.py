"""Small text helpers shared by panes: states as words and glyphs, never colour alone.

The words themselves live in `wttui.present`, shared with the CLI. They are needed once data
arrives, not for the first frame (P1): the names below are looked up in it on first use.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from wttui.core.ages import short_age
from wttui.core.text import middle_truncate

if TYPE_CHECKING:
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

_FROM_PRESENT = {name: name for name in __all__} | {"STATE_LABELS": "STATE_WORDS"}
"""The names above, as `wttui.present` calls them (STATE_LABELS: the panes' name)."""

if TYPE_CHECKING:
    STATE_LABELS = STATE_WORDS


def __getattr__(name: str) -> Any:
    if name not in _FROM_PRESENT:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from wttui import present

    value = getattr(present, _FROM_PRESENT[name])
    globals()[name] = value  # looked up once
    return value


def now() -> datetime:
    """The clock the panes use (tests freeze it so humanized ages are stable)."""
    return datetime.now(UTC)


def age(moment: datetime | None) -> str:
    """A compact age: `40s`, `12m`, `3h`, `5d`, `7w` (columns are narrow at 60 columns)."""
    return "" if moment is None else short_age(now() - moment)


def sync_cell(view: WorktreeView) -> str:
    worktree = view.worktree
    parts = []
    if worktree.ahead:
        parts.append(f"↑{worktree.ahead}")
    if worktree.behind:
        parts.append(f"↓{worktree.behind}")
    return "".join(parts)


def branch_flags(view: WorktreeView) -> str:
    """What is notable about a worktree besides its name: main, dirty, ahead/behind, errors."""
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
    return flags


def branch_cell(view: WorktreeView, width: int | None = None) -> str:
    """The name and its flags in `width` cells: the name is cut in the middle, never the
    flags."""
    flags = branch_flags(view)
    label = view.worktree.label
    if width is not None:
        label = middle_truncate(label, max(1, width - cell_len(flags)))
    return label + flags
