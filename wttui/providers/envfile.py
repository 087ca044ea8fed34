"""F20: read and update a worktree's env file without disturbing anything else in it.

Only the keys wttui manages change; every other line, comment, blank line and `export ` prefix
is kept as it was. A key that already holds a different value is treated as set by hand: it is
not overwritten unless forced, and the caller gets a diff (passwords masked) to show first.
Writes are atomic (temporary file + rename, same permissions); the previous content goes to the
backup path the caller names (in wttui's data directory: never next to the file).
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from wttui.core.urls import mask_secrets
from wttui.errors import EnvConflict, WttuiError

_ASSIGNMENT = re.compile(
    r"^(?P<export>\s*export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=(?P<value>.*)$"
)
_NEEDS_QUOTES = re.compile(r"[\s#'\"$`\\]")


def _unquote(raw: str) -> str:
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        return inner.replace('\\"', '"').replace("\\\\", "\\") if value[0] == '"' else inner
    # An unquoted value ends at an inline comment (` #`).
    return re.split(r"\s+#", value, maxsplit=1)[0].strip()


def _quote(value: str) -> str:
    if not _NEEDS_QUOTES.search(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_env(path: Path) -> dict[str, str]:
    """The key/value pairs of an env file (later assignments win); empty when it is missing."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise WttuiError(f"Cannot read {path}: {exc.strerror}") from None
    return parse_env(text)


def parse_env(text: str) -> dict[str, str]:
    """The key/value pairs of an env file's text (later assignments win)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = _ASSIGNMENT.match(line)
        if match:
            values[match["key"]] = _unquote(match["value"])
    return values


@dataclass(frozen=True)
class EnvChange:
    """What writing `values` into an env file would do."""

    path: Path
    old_text: str
    new_text: str
    conflicts: tuple[str, ...]
    """Keys that hold a different, hand-set value."""

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text

    def diff(self, secrets: tuple[str, ...] = ()) -> str:
        """Unified diff of the change with passwords masked."""
        lines = difflib.unified_diff(
            self.old_text.splitlines(keepends=True),
            self.new_text.splitlines(keepends=True),
            fromfile=f"{self.path.name} (now)",
            tofile=f"{self.path.name} (wttui)",
        )
        return mask_secrets("".join(lines), secrets)


def plan_env(path: Path, values: Mapping[str, str]) -> EnvChange:
    """Compute the new file text that sets `values`, keeping every other line."""
    try:
        old_text = path.read_text()
    except FileNotFoundError:
        old_text = ""
    remaining = dict(values)
    conflicts: list[str] = []
    out: list[str] = []
    for line in old_text.splitlines():
        match = _ASSIGNMENT.match(line)
        key = match["key"] if match else None
        if match and key in values:
            if key not in remaining:  # a duplicate assignment: keep only the first, updated one
                continue
            wanted = remaining.pop(key)
            current = _unquote(match["value"])
            if current != wanted:
                conflicts.append(key)
                line = f"{match['export'] or ''}{key}={_quote(wanted)}"
        out.append(line)
    if remaining:
        if out and out[-1].strip():
            out.append("")
        out.append("# Database of this worktree, written by wttui")
        out.extend(f"{key}={_quote(value)}" for key, value in remaining.items())
    new_text = "\n".join(out) + "\n" if out else ""
    return EnvChange(path=path, old_text=old_text, new_text=new_text, conflicts=tuple(conflicts))


def write_env(
    path: Path,
    values: Mapping[str, str],
    *,
    force: bool = False,
    secrets: tuple[str, ...] = (),
    backup: Path | None = None,
) -> EnvChange:
    """Set `values` in the env file at `path`, atomically; the old content goes to `backup`
    (0600) when one is named.

    Raises:
        EnvConflict: a key holds a different value and `force` is False; nothing is written.
    """
    change = plan_env(path, values)
    if change.conflicts and not force:
        keys = ", ".join(change.conflicts)
        raise EnvConflict(
            f"{path} already sets {keys} to a different value",
            diff=change.diff(secrets),
            hint="overwrite it with --force (the old file is kept in wttui's data directory)",
        )
    if not change.changed:
        return change
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    if change.old_text and backup is not None:
        _atomic_write(backup, change.old_text, 0o600)
    _atomic_write(path, change.new_text, mode)
    return change


def _atomic_write(path: Path, text: str, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
