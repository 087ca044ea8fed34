"""What worktrees' databases take on disk, counted the way the panes and `status` show it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the app imports this before its first frame; the models come with data
    from wttui.core.models import WorktreeView


def disk_bytes(view: WorktreeView) -> int | None:
    """What the worktree's database takes on disk: its volume where it has one, else its size."""
    database = view.database
    if database is None:
        return None
    return database.volume_bytes or database.size_bytes


def project_disk_bytes(views: Iterable[WorktreeView]) -> int:
    """Every live worktree's database, each counted once (a shared one too)."""
    seen: dict[object, int] = {}
    for view in views:
        used = disk_bytes(view)
        if view.target is not None and used is not None:
            seen[view.target.key] = used
    return sum(seen.values())
