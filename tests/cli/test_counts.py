"""Each datum is looked up once: counted from outside with git's own trace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests import steps
from wttui.services import Services


def git_calls(root: Path, tmp_path: Path, *args: str) -> list[str]:
    """The git commands `wttui ARGS` ran (GIT_TRACE), checking it succeeded."""
    trace = tmp_path / "git.trace"
    done = subprocess.run(
        [sys.executable, "-m", "wttui", *args],
        cwd=root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "GIT_TRACE": str(trace)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [line for line in trace.read_text().splitlines() if "built-in: git" in line]


def test_create_lists_the_worktrees_at_most_twice(repo: Path, tmp_path: Path) -> None:
    services = Services.from_path(repo)
    for branch in ("feat/a", "feat/b", "feat/c"):
        steps.create(services, branch)
    calls = git_calls(repo, tmp_path, "create", "feat/counted")
    listings = [line for line in calls if "worktree list" in line]
    assert 1 <= len(listings) <= 2, "\n".join(calls)
    # Other worktrees' working trees are not read to create this one.
    statuses = [line for line in calls if "status --porcelain=v2" in line]
    assert len(statuses) <= 1, "\n".join(calls)


def test_remove_lists_once_and_reads_only_its_worktree(repo: Path, tmp_path: Path) -> None:
    services = Services.from_path(repo)
    for branch in ("feat/a", "feat/b", "feat/c", "feat/gone"):
        steps.create(services, branch)
    calls = git_calls(repo, tmp_path, "remove", "feat/gone", "--yes")
    assert len([line for line in calls if "worktree list" in line]) == 1, "\n".join(calls)
    # wttui reads the removed worktree's state once (git checks it again itself, on removal).
    ours = [line for line in calls if "status --porcelain=v2" in line]
    assert len(ours) == 1, "\n".join(calls)
