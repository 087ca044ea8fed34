"""The `post-checkout` hook that provisions a worktree made by a plain `git worktree add` (F13).

wttui's part of the hook is one marked block: installing appends it to an existing hook (its
lines are kept and run first), replaces an older block, or creates the file; uninstalling
removes only the block (the whole file when nothing else is left). The block runs only for a
new linked worktree (git passes a null previous HEAD) that wttui itself is not making (a
`wttui create` provisions its own), calls `wttui sync --quiet` there, and
never fails: git has already made the worktree, so a problem is printed with its fix and the
hook exits 0.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from wttui.errors import GitError

HOOK = "post-checkout"
BEGIN = "# >>> wttui post-checkout >>>"
END = "# <<< wttui post-checkout <<<"
_NULL = "0000000000000000000000000000000000000000"
RUNNING = "WTTUI_RUNS_GIT"
"""Set in the environment of every git wttui runs: a worktree `wttui create` adds is
provisioned by that create (which holds the repository's lock), so the hook leaves it alone."""


@dataclass(frozen=True)
class HooksDir:
    path: Path
    source: str
    """`core.hooksPath = …` or `.git/hooks`."""
    inside_repository: bool
    """A `core.hooksPath` inside the worktree (husky's `.husky`): its files are the
    repository's own."""


def hooks_dir(root: Path) -> HooksDir:
    """Where git runs hooks from for the repository at `root` (`core.hooksPath` honoured)."""

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)

    found = git("rev-parse", "--path-format=absolute", "--git-path", "hooks")
    if found.returncode:
        raise GitError(f"Cannot find the hooks directory of {root}: {found.stderr.strip()}")
    path = Path(found.stdout.strip())
    configured = git("config", "--get", "core.hooksPath").stdout.strip()
    source = f"core.hooksPath = {configured}" if configured else ".git/hooks"
    inside = bool(configured) and (path == root or root in path.parents)
    return HooksDir(path, source, inside)


def block(wttui: str) -> str:
    """wttui's lines of the hook. `wttui` is the command that installed it: used when no
    `wttui` is on PATH (a GUI git client's PATH, a virtualenv that is not active)."""
    fallback = shlex.quote(wttui)
    return f"""{BEGIN}
# Added by `wttui hooks install`; `wttui hooks uninstall` removes it. A new worktree
# (`git worktree add`: previous HEAD is null) gets its database, .env and migrations.
if [ "$1" = "{_NULL}" ] && [ "$3" = "1" ] && [ -z "${{{RUNNING}:-}}" ] \\
   && [ "$(git rev-parse --git-dir)" != "$(git rev-parse --git-common-dir)" ]; then
  wttui_cmd=$(command -v wttui || true)
  [ -n "$wttui_cmd" ] || {{ [ -x {fallback} ] && wttui_cmd={fallback}; }}
  if [ -z "$wttui_cmd" ]; then
    echo "wttui: not on PATH, so this worktree has no database yet;" \\
      "install wttui, then run 'wttui sync' here (git itself is fine)" >&2
  elif ! "$wttui_cmd" sync --quiet; then
    echo "wttui: this worktree was not provisioned; run 'wttui sync' here to see why" \\
      "and 'wttui doctor' for the fix (git itself is fine)" >&2
  fi
fi
{END}
"""


def _without_block(text: str) -> str:
    lines = text.splitlines(keepends=True)
    if BEGIN + "\n" not in lines:
        return text
    start = lines.index(BEGIN + "\n")
    end = next((i for i in range(start, len(lines)) if lines[i].rstrip("\n") == END), None)
    if end is None:
        return "".join(lines[:start])
    return "".join(lines[:start] + lines[end + 1 :])


def _only_shebang(text: str) -> bool:
    return all(not line.strip() or line.startswith("#!") for line in text.splitlines())


def _runs_shell(text: str) -> bool:
    first = text.splitlines()[0] if text else ""
    return first.startswith("#!") and any(
        shell in first for shell in ("/sh", "bash", "zsh", "dash", "ksh", "env sh")
    )


def installed(text: str, wttui: str) -> tuple[str, str]:
    """(action, new text) of installing into a hook whose content is `text` ('' when none).

    Raises:
        ValueError: the existing hook is not a shell script (it cannot take shell lines).
    """
    wanted = block(wttui)
    if not text.strip():
        return "create", "#!/bin/sh\n" + wanted
    if not _runs_shell(text):
        raise ValueError(text.splitlines()[0] if text else "")
    if wanted in text:
        return "none", text
    rest = _without_block(text)
    action = "update" if rest != text else "append"
    return action, rest.rstrip("\n") + "\n\n" + wanted


def uninstalled(text: str) -> tuple[str, str | None]:
    """(action, new text or None to remove the file) of uninstalling from `text`."""
    rest = _without_block(text)
    if rest == text:
        return "none", text
    if _only_shebang(rest):
        return "remove", None
    return "strip", rest.rstrip("\n") + "\n"


def read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def write(path: Path, text: str | None) -> None:
    """Write the hook (executable), or remove it when `text` is None."""
    if text is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.wttui.tmp")
    tmp.write_text(text)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o755
    os.chmod(tmp, mode | 0o111)
    os.replace(tmp, path)
