"""Per-branch settings kept in the repository's own git config (`branch.<name>.wttuiStrategy`).

`wttui create BRANCH --no-db` must remember that a worktree has no database, but the
repository's `.wttui.toml` is committed and shared: one developer's "no database for epic4"
does not belong there. Git's `branch.<name>.*` section does: it is local to the clone, shared by
all of its worktrees, listed by `git config --get-regexp`, and git itself renames it with the
branch (`git branch -m`) and deletes it with the branch (`git branch -d`).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from wttui.errors import GitError

STRATEGY_KEY = "wttuiStrategy"
"""The variable under `branch.<name>` (git compares variable names case-insensitively)."""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "config", *args],
            cwd=root,
            capture_output=True,
            encoding="utf-8",
            errors="surrogateescape",
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed", hint="install git") from None


def branch_strategies(root: Path) -> dict[str, str]:
    """Branch → the strategy recorded for it in the repository's git config (one `git config`)."""
    done = _git(root, "--local", "-z", "--get-regexp", rf"^branch\..*\.{STRATEGY_KEY.lower()}$")
    if done.returncode == 1:  # no such variable: nothing recorded
        return {}
    if done.returncode != 0:
        raise GitError(f"Cannot read git config: {done.stderr.strip() or 'git config failed'}")
    found = {}
    for item in done.stdout.split("\0"):
        key, _, value = item.partition("\n")
        if key.startswith("branch.") and "." in key[len("branch.") :]:
            branch = key[len("branch.") :].rpartition(".")[0]
            found[branch] = value.strip()
    return found


def record_strategy(root: Path, branch: str, strategy: str | None) -> None:
    """Record `strategy` for `branch` (None: forget it).

    Raises:
        GitError: git refused to write its config.
    """
    key = f"branch.{branch}.{STRATEGY_KEY}"
    done = (
        _git(root, "--local", key, strategy) if strategy else _git(root, "--local", "--unset", key)
    )
    if done.returncode not in (0, 5):  # 5: --unset of a variable that is not set
        raise GitError(f"Cannot write git config {key}: {done.stderr.strip()}")
