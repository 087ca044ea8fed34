"""Is the app being started inside a git repository? Asked while Textual loads (P1).

The app draws its first frame before it reads anything (`ui/launch.py`), yet `wttui` typed in
the wrong directory must print its one line without the screen flashing. So `git rev-parse`
is started first, runs while Textual is imported, and its answer is checked just before the
first frame: the common case costs nothing. Only a failed probe loads the git provider, whose
`discover` gives the exact error (not a repository, git missing). Its answer also names the
main worktree, whose config file is read before the first frame too (`ui/launch.py`).
"""

from __future__ import annotations

import subprocess
from pathlib import Path


class RepositoryProbe:
    """`git rev-parse` started in `start`; `check()` raises when it is not a repository."""

    def __init__(self, start: Path) -> None:
        self.start = start
        probe = start if start.is_dir() else start.parent
        self._process: subprocess.Popen[bytes] | None
        try:
            self._process = subprocess.Popen(
                ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
                cwd=probe,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:  # git missing, or `start` gone: discover says which
            self._process = None

    def check(self) -> Path | None:
        """The main worktree of the repository `start` is in (None when git names a bare
        common directory: finding it then takes another git call, `GitProvider.discover`'s).

        Raises:
            GitError: it is not (`NotARepository`), or git is not installed.
        """
        if self._process is not None:
            out, _ = self._process.communicate()
            if self._process.returncode == 0:
                common = Path(out.decode(errors="replace").strip())
                return common.parent if common.name == ".git" else None
        from wttui.providers.git import GitProvider

        GitProvider.discover(self.start)
        return None
