"""Reading branches' committed trees without checking anything out: which tree a folder is
on each branch, its files written to a temporary directory, when a file was added.

Drift reads every branch's migrations this way (`drift/listing.py`): a tree id says when two
branches hold the same folder, so it is read once. Plain `git` processes (`cat-file --batch-check`
takes its questions on stdin); failures leave as `GitError` with git's own reason.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from wttui.errors import GitError


class GitTrees:
    """The repository at `root`, read as trees."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _git(self, *args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=self.root, capture_output=True, text=True, check=False
            )
        except OSError as exc:
            raise GitError(f"git {args[0]} failed: {exc}") from None
        if done.returncode:
            raise GitError(done.stderr.strip() or f"git {args[0]} failed")
        return done.stdout

    def trees_at(self, refs: list[str], folder: str) -> dict[str, str | None]:
        """The tree object of `folder` ('.' for the top) in each of `refs`, None where the
        commit has no such folder: one `git cat-file --batch-check` for all of them. Equal
        ids mean equal contents, so a caller reads each distinct tree once."""
        if not refs:
            return {}
        suffix = "^{tree}" if folder in ("", ".") else f":{folder}"
        lines = "".join(f"{ref}{suffix}\n" for ref in refs)
        try:
            done = subprocess.run(
                ["git", "cat-file", "--batch-check=%(objectname) %(objecttype)"],
                cwd=self.root,
                input=lines,
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as exc:
            raise GitError(f"git cat-file failed: {exc}") from None
        if done.returncode:
            raise GitError(done.stderr.strip() or "git cat-file failed")
        found: dict[str, str | None] = {}
        for ref, line in zip(refs, done.stdout.splitlines(), strict=False):
            sha, _, kind = line.partition(" ")
            found[ref] = sha if kind == "tree" else None
        return found

    def export_tree(self, tree: str, dest: Path, patterns: tuple[str, ...] = ()) -> None:
        """The files of tree object `tree` written below `dest`, nothing checked out (`git
        archive`, unpacked with tarfile's `data` filter: no links out of `dest`, no devices).
        `patterns` (`fnmatch` patterns, or folders) keep only the files matching one of them;
        none: every file."""
        import fnmatch
        import io
        import tarfile

        paths: list[str] = []
        if patterns:
            listed = self._git("ls-tree", "-r", "--name-only", "-z", tree).split("\0")
            paths = [
                path
                for path in listed
                if path
                and any(
                    fnmatch.fnmatchcase(path, pattern) or path.startswith(pattern.rstrip("/") + "/")
                    for pattern in patterns
                )
            ]
            if not paths:
                return
        try:
            done = subprocess.run(
                ["git", "archive", "--format=tar", tree, "--", *paths],
                cwd=self.root,
                capture_output=True,
                check=False,
            )
        except OSError as exc:
            raise GitError(f"git archive failed: {exc}") from None
        if done.returncode:
            raise GitError(done.stderr.decode(errors="replace").strip() or "git archive failed")
        with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
            archive.extractall(dest, filter="data")

    def added_on(self, ref: str, path: str) -> str | None:
        """The date (`YYYY-MM-DD`) of the commit on `ref` that added `path`; None if none did."""
        try:
            out = self._git("log", "-1", "--format=%cs", "--diff-filter=A", ref, "--", path)
        except GitError:
            return None
        return out.strip() or None
