"""The git provider: worktrees through git's own porcelain output (F10, F11, F12).

git has no library API for worktrees (GitPython neither), so this runs `git worktree list
--porcelain -z` and reads each worktree's state with one `git status --porcelain=v2 --branch
-z` (dirty files and ahead/behind in one call), parsed in `git_porcelain.py`; the last commit
of every worktree comes from one `git log --no-walk` for all of them. The status reads run in a
small thread pool: a refresh of fifty worktrees is bound by process start-up, not by git. Each
call is its own process (`git_run.py`), so the provider is safe to use from several threads; it
runs git directly (a CLI command starts faster without importing a wrapper library).

Reads never write: `status` runs with `--no-optional-locks`, so it neither refreshes the index
nor creates `index.lock` in the worktree's admin directory (which a file watcher would take for
a change made by the user).

Git's errors leave as `GitError` with git's own reason in one sentence.
"""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from wttui.core.models import Worktree
from wttui.core.naming import check_branch_name
from wttui.errors import DirtyWorktree, GitError, InvalidInput, NotARepository
from wttui.providers.git_porcelain import (
    Changes,
    WorktreeEntry,
    parse_status,
    parse_worktree_list,
)
from wttui.providers.git_run import run_git

_READERS = 8


class GitProvider:
    """Worktrees of one repository."""

    def __init__(self, root: Path, common_dir: Path) -> None:
        self.root = root
        """The main worktree's top directory."""
        self.common_dir = common_dir
        """The shared `.git` directory."""
        self.own_files: frozenset[str] = frozenset()  # wttui's files: never counted as changes

    @classmethod
    def discover(cls, start: Path) -> GitProvider:
        """The repository containing `start` (main or linked worktree, any subdirectory).

        Raises:
            GitError: `start` is not inside a git repository.
        """
        start = start.resolve()
        probe = start if start.is_dir() else start.parent
        # A plain subprocess, not GitPython: this runs before the app's first frame, and
        # importing GitPython there costs more than the call itself.
        try:
            found = subprocess.run(
                ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
                cwd=probe,
                capture_output=True,
                text=True,
                check=False,
            )
        except FileNotFoundError:
            raise GitError("git is not installed", hint="install git") from None
        if found.returncode != 0:
            raise NotARepository(f"Not inside a git repository: {start}")
        common = found.stdout
        common_dir = Path(common.strip())
        if common_dir.name == ".git":
            root = common_dir.parent
        else:  # a bare common dir: take the first worktree git lists
            entries = parse_worktree_list(run_git(probe, "worktree", "list", "--porcelain", "-z"))
            root = entries[0].path if entries else probe
        return cls(root, common_dir)

    @property
    def worktrees_meta_dir(self) -> Path:
        """`.git/worktrees`: it changes whenever a worktree is added, removed or moved."""
        return self.common_dir / "worktrees"

    # -- reading -----------------------------------------------------------------------------

    def entries(self) -> list[WorktreeEntry]:
        """Every worktree as git lists it, the main one first (one `git worktree list`)."""
        return parse_worktree_list(run_git(self.root, "worktree", "list", "--porcelain", "-z"))

    def _changes(self, path: Path) -> Changes:
        output = run_git(path, "--no-optional-locks", "status", "--porcelain=v2", "--branch", "-z")
        return parse_status(output, self.own_files)

    def _last_commits(self, heads: list[str]) -> dict[str, tuple[datetime, str]]:
        """Committer date and subject of each commit in `heads`, in one `git log`."""
        wanted = sorted({head for head in heads if head})
        if not wanted:
            return {}
        out = run_git(
            self.root, "log", "--no-walk=unsorted", "--format=%H%x00%cI%x00%s%x00", *wanted
        )
        found: dict[str, tuple[datetime, str]] = {}
        fields = out.split("\0")
        for oid, stamp, subject in zip(fields[0::3], fields[1::3], fields[2::3], strict=False):
            oid = oid.strip()
            if oid and stamp:
                found[oid] = (datetime.fromisoformat(stamp), subject)
        return found

    def read(self, entry: WorktreeEntry) -> Worktree:
        """`entry` with its working tree's state: dirty, ahead/behind, last commit."""
        return self.read_many([entry])[0]

    def read_many(self, entries: list[WorktreeEntry]) -> list[Worktree]:
        """`entries` with their working trees' state, read in parallel (one `git status` each,
        one `git log` for all)."""
        if not entries:
            return []
        with ThreadPoolExecutor(max_workers=min(_READERS, len(entries))) as pool:
            states = list(pool.map(self._state, entries))
        commits = self._last_commits([entry.head for entry in entries])
        result = []
        for worktree in states:
            if worktree.head in commits:
                at, subject = commits[worktree.head]
                worktree = replace(worktree, last_commit_at=at, last_commit_subject=subject)
            result.append(worktree)
        return result

    def _state(self, entry: WorktreeEntry) -> Worktree:
        worktree = entry.as_worktree()
        if worktree.prunable:
            return worktree
        changes = self._changes(entry.path)
        return replace(
            worktree,
            dirty=bool(changes.modified or changes.untracked),
            ahead=changes.ahead,
            behind=changes.behind,
        )

    def list_worktrees(self) -> list[Worktree]:
        """Every worktree, the main one first, each with its state read in parallel."""
        return self.read_many(self.entries())

    def branch_exists(self, name: str) -> bool:
        """True when a local branch `name` exists."""
        try:
            run_git(self.root, "show-ref", "--verify", "--quiet", f"refs/heads/{name}")
        except GitError:
            return False
        return True

    def commit_exists(self, ref: str) -> bool:
        """True when `ref` names a commit."""
        try:
            run_git(self.root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        except GitError:
            return False
        return True

    def remote_branch(self, name: str) -> str | None:
        """`origin/name` (or another remote's) when only a remote branch `name` exists."""
        out = run_git(self.root, "for-each-ref", "--format=%(refname:short)", "refs/remotes/")
        for ref in out.split():
            if ref.split("/", 1)[-1] == name:
                return ref
        return None

    def local_branches(self) -> list[str]:
        out = run_git(self.root, "for-each-ref", "--format=%(refname:short)", "refs/heads/")
        return out.split()

    def files_at(self, ref: str, folder: str) -> list[str]:
        """Paths under `folder` in commit `ref`, read from git without checking anything out."""
        out = run_git(self.root, "ls-tree", "-r", "--name-only", "-z", ref, "--", folder)
        return [path for path in out.split("\0") if path]

    def read_at(self, ref: str, path: str) -> str:
        """The text of `path` in commit `ref`."""
        return run_git(self.root, "show", f"{ref}:{path}")

    def text_at(self, ref: str, path: str) -> str | None:
        """The text of `path` in commit `ref`, or None when the commit has no such file."""
        try:
            return self.read_at(ref, path)
        except GitError:
            return None

    @staticmethod
    def find_entry(ref: str, entries: list[WorktreeEntry]) -> WorktreeEntry | None:
        """The entry named by a branch, a path (or a path inside one) or a directory name."""
        for entry in entries:
            if entry.branch == ref:
                return entry
        candidate = Path(ref).expanduser()
        if candidate.is_absolute() or candidate.exists():
            resolved = candidate.resolve()
            best: WorktreeEntry | None = None
            for entry in entries:
                inside = resolved == entry.path or entry.path in resolved.parents
                if inside and (best is None or len(entry.path.parts) > len(best.path.parts)):
                    best = entry
            if best is not None:
                return best
        for entry in entries:
            if entry.path.name == ref:
                return entry
        return None

    def find_worktree(self, ref: str) -> Worktree | None:
        """The worktree named by a branch, a path (or a path inside one) or a directory name."""
        entry = self.find_entry(ref, self.entries())
        return self.read(entry) if entry is not None else None

    def admin_dir(self, worktree_path: Path) -> Path | None:
        """A linked worktree's own git directory (`.git/worktrees/<id>`); None for the main one."""
        dotgit = worktree_path / ".git"
        if not dotgit.is_file():
            return None
        text = dotgit.read_text().strip()
        if not text.startswith("gitdir:"):
            return None
        gitdir = Path(text.removeprefix("gitdir:").strip())
        return gitdir if gitdir.is_absolute() else (worktree_path / gitdir).resolve()

    # -- changing ----------------------------------------------------------------------------

    def add_worktree(
        self,
        path: Path,
        branch: str,
        *,
        base: str | None = None,
        entries: list[WorktreeEntry] | None = None,
    ) -> Worktree:
        """Add a worktree at `path` for `branch` (existing, remote-only, or new from `base`).

        `entries` is the listing the caller already has (a plan): it is not listed again.

        Raises:
            InvalidInput: invalid branch name; the branch already has a worktree; unknown base;
                `path` exists and is not empty. Nothing is changed in any of these cases.
            GitError: git refused for another reason.
        """
        check_branch_name(branch)
        for entry in self.entries() if entries is None else entries:
            if entry.branch == branch:
                raise InvalidInput(f"Branch {branch} already has a worktree at {entry.path}")
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise InvalidInput(f"{path} already exists and is not empty")
        if base is not None and not self.commit_exists(base):
            raise InvalidInput(f"Unknown base ref {base!r}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InvalidInput(f"Cannot create {path.parent}: {exc.strerror or exc}") from None
        if self.branch_exists(branch):
            if base is not None:
                raise InvalidInput(
                    f"Branch {branch} already exists; leave out the base to check it out"
                )
            run_git(self.root, "worktree", "add", "--quiet", str(path), branch)
        elif (remote := self.remote_branch(branch)) is not None and base is None:
            run_git(
                self.root, "worktree", "add", "--quiet", "--track", "-b", branch, str(path), remote
            )
        else:
            run_git(
                self.root, "worktree", "add", "--quiet", "-b", branch, str(path), base or "HEAD"
            )
        head = run_git(path, "rev-parse", "HEAD").strip()
        return self.read(WorktreeEntry(path=path.resolve(), head=head, branch=branch))

    def finish_checkout(self, path: Path) -> None:
        """Finish the checkout of a worktree whose `git worktree add` was stopped half way
        (`WorktreeEntry.unfinished`): check every file out as git would have, then unlock it.

        The index lock the killed git left behind is removed (the caller holds the
        repository's lock, and git's own lock reason says no add is running). The unlock comes
        last, so a finish that is stopped too is finished by the next one.

        Raises:
            GitError: git refused.
        """
        admin = self.admin_dir(path)
        if admin is not None:
            (admin / "index.lock").unlink(missing_ok=True)
        run_git(path, "reset", "--hard", "--no-recurse-submodules", "--quiet")
        run_git(self.root, "worktree", "unlock", str(path))

    def remove_worktree(self, worktree: Worktree | Path, *, force: bool = False) -> None:
        """Remove a worktree (its branch is kept), then prune git's metadata.

        Given a path, the worktree is looked up first; given a `Worktree` (from a plan), it is
        not listed again.

        Raises:
            InvalidInput: it is the main worktree or not a worktree.
            DirtyWorktree: uncommitted changes and not `force`.
            GitError: it is locked and not `force`, or git refused.
        """
        checked = not isinstance(worktree, Path)  # a plan has read its state already
        if isinstance(worktree, Path):
            path = worktree
            found = self.find_worktree(str(path))
            if found is None or found.path != path.resolve():
                raise InvalidInput(f"{path} is not a worktree of {self.root}")
            worktree = found
        if worktree.is_main:
            raise InvalidInput(f"{worktree.label} is the main worktree; it cannot be removed")
        if worktree.locked and not force:
            reason = f" ({worktree.lock_reason})" if worktree.lock_reason else ""
            raise GitError(
                f"Worktree {worktree.label} at {worktree.path} is locked{reason}",
                hint="unlock it with `git worktree unlock`, or force the removal",
            )
        if not force and not worktree.prunable and not checked:
            self._refuse_changes(worktree)
        if not worktree.prunable:
            args = ["worktree", "remove"]
            if force:
                args += ["--force", "--force"]  # twice: also removes a locked worktree
            try:
                run_git(self.root, *args, str(worktree.path))
            except GitError as exc:
                # git counts wttui's own files (a tracked .env it changed); wttui does not.
                if force or "modified or untracked" not in exc.message:
                    raise
                self._refuse_changes(worktree)
                run_git(self.root, "worktree", "remove", "--force", str(worktree.path))
        run_git(self.root, "worktree", "prune")

    def _refuse_changes(self, worktree: Worktree) -> None:
        changes = self._changes(worktree.path)
        if changes.modified or changes.untracked:
            raise DirtyWorktree(
                f"Worktree {worktree.label} at {worktree.path} has uncommitted changes: "
                f"{changes.modified} modified, {changes.untracked} untracked",
                hint="commit or stash them, or force the removal",
            )

    def prune(self) -> list[Path]:
        """Forget worktrees whose directories are gone; returns the paths it forgot."""
        before = {entry.path for entry in self.entries()}
        run_git(self.root, "worktree", "prune")
        return sorted(before - {entry.path for entry in self.entries()})
