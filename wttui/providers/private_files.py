"""Files only their owner may read: wttui's data directory holds server passwords.

Directories are 0700 and files 0600. A file is written to a temporary name created with the
private mode from the start (never a moment readable by others) and renamed into place, so a
reader sees the old content or the new, never half. `tighten` fixes what an older version, a
restored backup or a hand edit left more open, and says what it changed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Make `path` a 0700 directory; missing parents are created 0700 too."""
    missing = [p for p in [path, *path.parents] if not p.exists()]
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir(mode=DIR_MODE)
    tighten(path)
    return path


def write_private(
    path: Path, text: str, *, exclusive: bool = False, owner: tuple[int, int] | None = None
) -> bool:
    """Write `text` to `path` with mode 0600, atomically; `owner` is a (uid, gid) to give it
    (root writing a file for the server's user).

    With `exclusive`, only create: return False (and leave the file) when it already exists,
    so two processes generating a secret at once agree on the first one written.
    """
    if not path.parent.is_dir():
        private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if owner is not None:
            os.chown(tmp, *owner)
        if exclusive:
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            return True
        os.replace(tmp, path)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def tighten(path: Path, *, keep_search: bool = False) -> bool:
    """Remove group and other permissions from `path` (not following a symlink); True when
    it was more open than that. `keep_search` leaves a directory's x bits (others may pass
    through to a known name, not list or read it)."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return False
    remove = 0o066 if keep_search else 0o077
    if path.is_symlink() or not mode & remove:
        return False
    os.chmod(path, stat.S_IMODE(mode) & ~remove)
    return True


def tighten_tree(path: Path) -> list[Path]:
    """`tighten` a directory and everything in it; the paths that were too open."""
    changed = [path] if tighten(path) else []
    if path.is_dir() and not path.is_symlink():
        for current, dirs, files in os.walk(path):
            for name in [*dirs, *files]:
                entry = Path(current) / name
                if tighten(entry):
                    changed.append(entry)
    return changed
