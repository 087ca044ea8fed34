"""What git's porcelain output says: the worktrees `git worktree list --porcelain -z` names,
and the counts `git status --porcelain=v2 --branch -z` gives (changed, untracked, ahead,
behind). Pure parsing: `git.py` runs the commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wttui.core.models import Worktree
from wttui.providers.git_files import status_path

INITIALIZING = "initializing"
"""The reason `git worktree add` locks a worktree with while it checks its files out; git
removes the lock when it is done, so a worktree still locked for it was stopped half way."""


@dataclass(frozen=True)
class WorktreeEntry:
    """One worktree as `git worktree list` names it, before its working tree is read."""

    path: Path
    head: str
    branch: str | None
    locked: bool = False
    lock_reason: str | None = None
    prunable: bool = False
    prune_reason: str | None = None
    is_main: bool = False

    @property
    def label(self) -> str:
        return self.branch or self.path.name

    @property
    def unfinished(self) -> bool:
        """`git worktree add` was stopped before it had checked every file out."""
        return self.locked and self.lock_reason == INITIALIZING

    def as_worktree(self) -> Worktree:
        """The worktree as git lists it, its working tree unread (no dirty or ahead/behind
        state): a folder that is gone counts as prunable."""
        return Worktree(
            path=self.path,
            branch=self.branch,
            head=self.head,
            is_main=self.is_main,
            locked=self.locked,
            lock_reason=self.lock_reason,
            prunable=self.prunable or not self.path.exists(),
            prune_reason=self.prune_reason,
        )


@dataclass(frozen=True)
class Changes:
    """What `git status` counts in one worktree (wttui's own files left out)."""

    modified: int
    untracked: int
    ahead: int | None
    behind: int | None


def parse_worktree_list(output: str) -> list[WorktreeEntry]:
    """The entries of `git worktree list --porcelain -z`, the main worktree first."""
    entries: list[WorktreeEntry] = []
    fields: dict[str, str] = {}
    for item in [*output.split("\0"), ""]:
        if item:
            key, _, value = item.partition(" ")
            fields[key] = value
            continue
        if "worktree" in fields:
            branch = fields.get("branch")
            entries.append(
                WorktreeEntry(
                    path=Path(fields["worktree"]),
                    head=fields.get("HEAD", ""),
                    branch=branch.removeprefix("refs/heads/") if branch else None,
                    locked="locked" in fields,
                    lock_reason=fields.get("locked") or None,
                    prunable="prunable" in fields,
                    prune_reason=fields.get("prunable") or None,
                    is_main=not entries,
                )
            )
        fields = {}
    return entries


def parse_status(output: str, own: frozenset[str] = frozenset()) -> Changes:
    """Counts of changed and untracked files, leaving out `own` (the files wttui wrote)."""
    modified = untracked = 0
    ahead = behind = None
    for record in output.split("\0"):
        if own and status_path(record) in own:
            continue
        if record.startswith("# branch.ab "):
            plus, minus = record.split()[2:4]
            ahead, behind = int(plus), -int(minus)
        elif record.startswith("?"):
            untracked += 1
        elif record[:1] in ("1", "2", "u"):
            modified += 1
    # Renames ("2 …") carry the original path as an extra NUL-separated record; it starts
    # with neither marker, so it is not counted.
    return Changes(modified, untracked, ahead, behind)
