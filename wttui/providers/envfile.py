"""F20: read and update a worktree's env file without disturbing anything else in it.

Parsing is python-dotenv's (quotes, `export `, inline `# comments`, escapes), so a value means
what the app's loader will read. Only the keys wttui manages change; every other line, comment,
blank line, `export ` prefix and the file's line endings (CRLF stays CRLF) are kept byte for
byte. A key that already holds a different value is treated as set by hand: it is not
overwritten unless forced, and the caller gets a diff of only the lines wttui would change, with
secrets masked. Values are written so that `sh` (`set -a; . ./.env`), python-dotenv, Node's
dotenv and Docker Compose all read them literally; a value no quoting keeps literal everywhere
is refused. Writes are atomic (temporary file + rename), go through a symlinked `.env` to its
target when that stays inside the worktree, and leave the file 0600 (a more open mode is
tightened and reported). No backup lands next to the file: a previous content is kept, if the
caller asks, in a directory it names (wttui's data directory).
"""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv.parser import Binding, parse_stream

from wttui.core.naming import short_hash
from wttui.core.urls import MASK, mask_secrets
from wttui.errors import EnvConflict, EnvFileError, InvalidInput, Refused

FILE_MODE = 0o600
_BARE = re.compile(r"[A-Za-z0-9_./:@%+,=-]*")
"""Characters no dialect treats specially in an unquoted value (`~` is left out: sh expands a
leading one)."""
_SECRET_KEY = re.compile(r"PASS|SECRET|TOKEN|KEY|CREDENTIAL", re.IGNORECASE)
_LEAD = re.compile(r"\s*")
_EXPORT = re.compile(r"export[ \t]+")
_EOL = re.compile(r"(\r\n|\n|\r)$")
_HEADER = "# Database of this worktree, written by wttui"
HEADER = _HEADER
"""The comment above the keys wttui adds to an env file."""


def render_value(key: str, value: str) -> str:
    """`value` as it is written after `KEY=`: bare when safe, else single-quoted, else
    double-quoted; each form reads back as exactly `value` in sh and python-dotenv.

    Raises:
        InvalidInput: no form keeps `value` literal (a control character, `${`, a `\\`, or `'`
            together with one of `" $ \\` and a backtick).
    """
    if _BARE.fullmatch(value):
        return value
    reason = None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        reason = "a control character (a newline, a tab, …)"
    elif "${" in value:
        reason = "'${', which dotenv loaders expand even inside quotes"
    elif "\\" in value:
        reason = "a backslash, which sh and dotenv loaders read differently inside quotes"
    elif "'" not in value:
        return f"'{value}'"
    elif not set(value) & set('"$`'):
        return f'"{value}"'
    else:
        reason = 'a single quote together with one of " $ `'
    raise InvalidInput(
        f"Cannot write {key} to an env file: its value has {reason}",
        hint="no quoting keeps it literal for every dotenv loader and for sh",
    )


def check_values(values: Mapping[str, str]) -> None:
    """Raise `InvalidInput` when any value cannot be written literally (see `render_value`)."""
    for key, value in values.items():
        render_value(key, value)


def _read_text(path: Path) -> str:
    """The exact text of the env file at `path` ('' when it is missing).

    Raises:
        EnvFileError: it is a directory, unreadable, or not UTF-8 text.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ""
    except IsADirectoryError:
        raise EnvFileError(path, "it is a directory, not a file") from None
    except OSError as exc:
        raise EnvFileError(path, exc.strerror or str(exc)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EnvFileError(path, f"it is not UTF-8 text (byte {exc.start})") from None


def _bindings(text: str) -> list[Binding]:
    return list(parse_stream(io.StringIO(text)))


def parse_env(text: str) -> dict[str, str]:
    """The key/value pairs of an env file's text (a file in a commit, say), as `read_env`."""
    bindings = _bindings(text)
    return {b.key: b.value for b in bindings if b.key is not None and b.value is not None}


def read_env(path: Path) -> dict[str, str]:
    """The key/value pairs of an env file as python-dotenv reads them (later assignments win,
    no interpolation); empty when it is missing.

    Raises:
        EnvFileError: the file is a directory, unreadable or not UTF-8.
    """
    return parse_env(_read_text(path))


@dataclass(frozen=True)
class EnvChange:
    """What writing `values` into an env file does (or did)."""

    path: Path
    old_text: str
    new_text: str
    conflicts: tuple[str, ...]
    """Keys that hold a different, hand-set value."""
    lines: tuple[tuple[str | None, str | None], ...] = ()
    """(old line, new line) for every line wttui changes: None on one side for a line added
    or removed. Unmasked: show `diff()`."""
    real_path: Path | None = None
    """The file written when `path` is a symlink."""
    mode_before: int | None = None
    """The file's permission bits when they were more open than 0600 (tightened on write)."""
    backup: Path | None = None
    """Where the previous content was kept."""

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys whose lines change."""
        found = []
        for old, new in self.lines:
            for line in (old, new):
                binding = _bindings(line)[-1] if line else None
                if binding is not None and binding.key and binding.key not in found:
                    found.append(binding.key)
        return tuple(found)

    def diff(self, secrets: tuple[str, ...] = ()) -> str:
        """The lines wttui changes, `-` old and `+` new, secrets masked; nothing else of the
        file (its other keys may be secrets too)."""
        out = [f"--- {self.path.name} (now)", f"+++ {self.path.name} (wttui)"]
        for old, new in self.lines:
            if old is not None:
                out.append("-" + _masked(old, secrets))
            if new is not None:
                out.append("+" + _masked(new, secrets))
        return "\n".join(out) + "\n"


def _masked(line: str, secrets: tuple[str, ...]) -> str:
    text = line.strip("\r\n")
    binding = _bindings(text)[-1] if text.strip() else None
    if binding is not None and binding.key and _SECRET_KEY.search(binding.key):
        return text.split("=", 1)[0] + "=" + MASK
    return mask_secrets(text, secrets)


def _line(binding: Binding, key: str, value: str) -> str:
    """`binding`'s text with its value replaced (leading blank lines, indent, `export ` and
    the line ending kept; an inline comment is dropped with the value it described)."""
    original = binding.original.string
    lead = _LEAD.match(original)
    head = original[: lead.end()] if lead else ""
    export = _EXPORT.match(original, len(head))
    ending = _EOL.search(original)
    return (
        f"{head}{export[0] if export else ''}{key}={render_value(key, value)}"
        f"{ending[1] if ending else ''}"
    )


def plan_env(path: Path, values: Mapping[str, str], *, text: str | None = None) -> EnvChange:
    """Compute the new file text that sets `values`, keeping every other line; changes nothing.
    `text` stands for the file's content when it is not on disk yet (read from a commit).

    A key whose value (the last assignment, as loaders read it) is already right is left
    alone; otherwise its first assignment is rewritten and later ones are dropped.

    Raises:
        EnvFileError: the file cannot be read as text.
        InvalidInput: a value cannot be written literally.
    """
    check_values(values)
    old_text = _read_text(path) if text is None else text
    bindings = _bindings(old_text)
    newline = "\r\n" if "\r\n" in old_text else "\n"
    current = {b.key: b.value for b in bindings if b.key in values and b.value is not None}
    conflicts = tuple(k for k in values if k in current and current[k] != values[k])
    settled = {k for k in values if current.get(k) == values[k]}
    out: list[str] = ["\ufeff" if old_text.startswith("\ufeff") else ""]
    lines: list[tuple[str | None, str | None]] = []
    done: set[str] = set()
    for binding in bindings:
        key, original = binding.key, binding.original.string
        if key is None or key not in values or key in settled or binding.value is None:
            out.append(original)
        elif key in done:  # a later assignment would override the value wttui sets
            lines.append((original.strip(), None))
        else:
            done.add(key)
            line = _line(binding, key, values[key])
            lines.append((original.strip(), line.strip()))
            out.append(line)
    remaining = [key for key in values if key not in done and key not in settled]
    if remaining:
        text = "".join(out).lstrip("\ufeff")
        if text and not text.endswith(("\n", "\r")):
            out.append(newline)
        if text and not text.endswith(newline * 2):
            out.append(newline)
        added = [_HEADER] + [f"{key}={render_value(key, values[key])}" for key in remaining]
        out.extend(line + newline for line in added)
        lines.extend((None, line) for line in added)
    return EnvChange(
        path=path,
        old_text=old_text,
        new_text="".join(out),
        conflicts=conflicts,
        lines=tuple(lines),
    )


def _real_path(path: Path, within: Path) -> Path:
    """The file a write to `path` lands in: itself, or a symlink's target inside `within`.

    Raises:
        Refused: the symlink leads outside `within` (other worktrees may read that file).
        EnvFileError: a symlink loop.
    """
    if not path.is_symlink():
        return path
    try:
        real = path.resolve(strict=False)
    except (RuntimeError, OSError):
        raise EnvFileError(path, "it is a symlink loop") from None
    root = within.resolve()
    if real != root and root not in real.parents:
        raise Refused(
            f"{path} is a symlink to {real}, outside {root}: writing through it would change "
            "that file for everything that reads it",
            hint="replace the symlink with a file of its own, or point it inside the worktree",
        )
    return real


def write_env(
    path: Path,
    values: Mapping[str, str],
    *,
    force: bool = False,
    secrets: tuple[str, ...] = (),
    within: Path | None = None,
    backup_dir: Path | None = None,
) -> EnvChange:
    """Set `values` in the env file at `path`, atomically, leaving it 0600.

    `within` is where a symlinked `path` may lead (default: its own directory); `backup_dir`,
    when given, receives the previous content (0600, one file per env file).

    Raises:
        EnvConflict: a key holds a different value and `force` is False; nothing is written.
        Refused: `path` is a symlink leading outside `within`.
        EnvFileError, InvalidInput: the file or a value cannot be used; nothing is written.
    """
    return write_change(
        plan_env(path, values), force=force, secrets=secrets, within=within, backup_dir=backup_dir
    )


def read_text(path: Path) -> str:
    """The exact text of the env file at `path` ('' when it is missing).

    Raises:
        EnvFileError: it is a directory, unreadable, or not UTF-8 text.
    """
    return _read_text(path)


def write_change(
    change: EnvChange,
    *,
    force: bool = False,
    secrets: tuple[str, ...] = (),
    within: Path | None = None,
    backup_dir: Path | None = None,
) -> EnvChange:
    """Write a planned change (`plan_env`, or a file rendered from a template) as `write_env`
    does: refused on hand-set values unless `force`, atomic, through a symlink inside `within`,
    0600, the old content kept in `backup_dir`.

    Raises:
        EnvConflict, Refused, EnvFileError: as `write_env`; nothing is written.
    """
    path = change.path
    if change.conflicts and not force:
        keys = ", ".join(change.conflicts)
        raise EnvConflict(
            f"{path} already sets {keys} to a different value",
            diff=change.diff(secrets),
            hint="overwrite it with --force",
        )
    real = _real_path(path, within or path.parent)
    open_mode = backup = None
    try:
        mode = stat.S_IMODE(real.stat().st_mode) if real.exists() else FILE_MODE
        open_mode = mode if mode & 0o077 else None
        wanted = mode & 0o700 | FILE_MODE
        if change.changed:
            if backup_dir is not None and change.old_text:
                backup = _keep(backup_dir, real, change.old_text)
            real.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(real, change.new_text, wanted)
        elif open_mode is not None:
            os.chmod(real, wanted)
    except OSError as exc:
        raise EnvFileError(real, f"cannot write it: {exc.strerror or exc}") from None
    return EnvChange(
        path=path,
        old_text=change.old_text,
        new_text=change.new_text,
        conflicts=change.conflicts,
        lines=change.lines,
        real_path=real if real != path else None,
        mode_before=open_mode,
        backup=backup,
    )


def backup_path(backup_dir: Path, env_file: Path) -> Path:
    """Where `write_env` keeps the previous content of `env_file` in `backup_dir`."""
    real = env_file.resolve()
    return backup_dir / f"{real.name}-{short_hash(str(real))}.bak"


def _keep(backup_dir: Path, real: Path, text: str) -> Path:
    backup_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = backup_path(backup_dir, real)
    _atomic_write(target, text, FILE_MODE)
    return target


def _atomic_write(path: Path, text: str, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
