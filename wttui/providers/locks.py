"""Who holds a lock file (`flock`): the process, its command and since when.

A non-blocking `flock` attempt on a separate descriptor says whether it is held; on Linux,
`/proc/locks` names the holder by the file's inode. Nothing is ever held longer than the probe.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path


def held(path: Path) -> bool:
    """True when another process holds an exclusive `flock` on `path`."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def holder(path: Path) -> str | None:
    """`pid 123 (wttui create feat/x), since 12:03:04`, or None when the lock is free."""
    if not held(path):
        return None
    inode = path.stat().st_ino
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return "another process"
    for line in lines:
        fields = line.split()
        if len(fields) > 5 and fields[1] == "FLOCK" and fields[5].endswith(f":{inode}"):
            pid = fields[4]
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                started = datetime.fromtimestamp(Path(f"/proc/{pid}").stat().st_mtime, UTC)
            except OSError:
                return f"pid {pid}"
            since = started.astimezone().strftime("%H:%M:%S")
            return f"pid {pid} ({command.decode(errors='replace').strip()[:80]}), since {since}"
    return "another process"
