"""Keeping wttui's own files out of git's way (F15): `info/exclude`, ignore checks, own paths.

wttui writes one file into a worktree, its env file. When git does not already ignore it, its
pattern goes into the repository's `info/exclude` (shared by every worktree, never committed),
so it never shows as an untracked change, never blocks `git worktree remove`, and a `git add -A`
never commits a database password. Plain subprocesses: these run before GitPython is imported.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

EXCLUDE_HEADER = "# wttui: files wttui writes into worktrees (never committed)"


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=30
    )


def exclude_file(worktree: Path) -> Path | None:
    """The repository's `info/exclude` (in the common git dir), or None outside a repository."""
    done = _git(worktree, "rev-parse", "--path-format=absolute", "--git-path", "info/exclude")
    if done.returncode:
        return None
    return Path(done.stdout.strip())  # git resolves info/ to the common dir in any worktree


def ignored(worktree: Path, relative: str) -> bool:
    """True when git ignores `relative` (a path in the worktree) by any rule."""
    return _git(worktree, "check-ignore", "-q", "--no-index", "--", relative).returncode == 0


def pattern_for(relative: str) -> str:
    """The anchored pattern for a file at `relative` in every worktree (`/.env`)."""
    return "/" + relative.lstrip("/")


def exclude(worktree: Path, relative: str) -> Path | None:
    """Add `relative`'s pattern to `info/exclude` unless git already ignores the file.

    Returns the exclude file when a line was added now (the caller says so once), else None.
    """
    if ignored(worktree, relative):
        return None
    path = exclude_file(worktree)
    if path is None:
        return None
    pattern = pattern_for(relative)
    try:
        text = path.read_text()
    except FileNotFoundError:
        text = ""
    if pattern in text.splitlines():
        return None  # present but overridden (a `!` rule in .gitignore): nothing more to do
    lines = [] if EXCLUDE_HEADER in text else [EXCLUDE_HEADER]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        if text and not text.endswith("\n"):
            handle.write("\n")
        handle.write("\n".join([*lines, pattern]) + "\n")
    return path


def status_path(record: str) -> str | None:
    """The path of one `git status --porcelain=v2 -z` record (changed, renamed, unmerged or
    untracked); None for headers."""
    kind = record[:1]
    fields = {"1": 8, "2": 9, "u": 10}.get(kind)
    if fields is not None:
        parts = record.split(" ", fields)
        return parts[fields] if len(parts) > fields else None
    if kind == "?":
        return record[2:]
    return None
