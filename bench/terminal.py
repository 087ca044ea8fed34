"""Running a program in a real pseudo-terminal, as a user's terminal runs it."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import termios
import time
from collections.abc import Sequence
from pathlib import Path


def time_to_text(
    argv: Sequence[str], marker: bytes, *, cwd: Path, env: dict[str, str], size: tuple[int, int]
) -> float:
    """Seconds from spawning `argv` in a `size` (columns, rows) terminal until `marker` appears
    in what it draws; the program is then ended."""
    leader, follower = os.openpty()
    columns, rows = size
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    start = time.monotonic()
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env={**env, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)},
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
    )
    os.close(follower)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 30)
            if not ready:
                raise TimeoutError(f"{argv[0]} drew nothing with {marker!r} in 30 s")
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise RuntimeError(f"{argv[0]} ended before drawing {marker!r}:\n{seen[-800:]!r}")
            seen += chunk
            if marker in seen:
                return time.monotonic() - start
    finally:
        process.kill()
        process.wait()
        os.close(leader)
