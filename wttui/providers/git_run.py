"""Running git: one process per call, its failure said in git's own words.

Each call is its own `git` process in its own session (a Ctrl-C at the terminal reaches wttui,
which cancels between steps, instead of killing git half way through a checkout), so callers
are safe from several threads. Git's errors leave as `GitError` with git's own reason in one
sentence; a killed git says how to finish what it left.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from wttui.errors import GitError
from wttui.providers.file_lock import inherited_fds
from wttui.providers.git_hooks import RUNNING


def _one_sentence(stderr: str, args: tuple[str, ...]) -> str:
    """git's `fatal:`/`error:` line, without the prefix."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    for line in lines:
        for prefix in ("fatal:", "error:"):
            if line.startswith(prefix):
                text = line.removeprefix(prefix).strip()
                return text[:1].upper() + text[1:]
    words = [arg for arg in args if not arg.startswith("-")]
    text = lines[-1] if lines else f"git {words[0] if words else ''} failed"
    return text[:1].upper() + text[1:]


def run_git(cwd: Path, *args: str) -> str:
    """git's output, run in its own session: a Ctrl-C at the terminal reaches wttui, which
    cancels between steps, instead of killing git half way through a checkout. While wttui
    holds the repository's lock, git holds it too (`file_lock.inherited_fds`): were wttui
    killed, the next one waits for this git to finish rather than work beside it.

    Raises:
        GitError: git failed (its own reason in one sentence), was killed, or is not installed.
    """
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            encoding="utf-8",
            errors="surrogateescape",
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            pass_fds=inherited_fds(),
            env={**os.environ, RUNNING: "1"},  # the post-checkout hook leaves wttui's own alone
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed", hint="install git") from None
    except NotADirectoryError:
        raise GitError(f"{cwd} is not a directory") from None
    if done.returncode < 0:
        words = [arg for arg in args if not arg.startswith("-")][:2]
        raise GitError(
            f"git {' '.join(words)} was killed ({signal.Signals(-done.returncode).name})",
            hint="run the same wttui command again: it finishes what git left",
        )
    if done.returncode != 0:
        raise GitError(_one_sentence(done.stderr, args))
    return done.stdout
