"""Running the real CLI: a subprocess with no terminal, or one on a pseudo-terminal (where
wttui asks its questions)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path


def wttui(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`wttui ARGS` with stdin closed (not a terminal), output captured."""
    return subprocess.run(
        [sys.executable, "-m", "wttui", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def on_terminal(
    cwd: Path,
    *args: str,
    answer: str | None = None,
    timeout: float = 60.0,
    size: tuple[int, int] | None = None,
    env: dict[str, str] | None = None,
    before_answer: Callable[[], object] | None = None,
) -> tuple[int, str]:
    """`wttui ARGS` on a pseudo-terminal: returns (exit code, everything it printed). When it
    prints a question (`[y/N]` or `to confirm:`), `answer` is typed; with no answer to give,
    the question itself fails the run (it must not have asked). `size` (columns, rows): the
    terminal's, with no `COLUMNS` in the environment (else `COLUMNS=200`); `env` adds to it.
    `before_answer` runs while the question waits (what a user does while reading it)."""
    leader, follower = pty.openpty()
    environment = {**os.environ, "COLUMNS": "200"}
    if size is not None:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        environment.pop("COLUMNS")
        environment.pop("LINES", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "wttui", *args],
        cwd=cwd,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**environment, **(env or {})},
        close_fds=True,
    )
    os.close(follower)
    seen = b""
    answered = False
    deadline = time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:
                    chunk = b""
                if not chunk and process.poll() is not None:
                    break
                seen += chunk
            elif process.poll() is not None:
                break
            text = seen.decode(errors="replace")
            if not answered and ("[y/N]" in text or "to confirm:" in text):
                if answer is None:
                    process.kill()
                    raise AssertionError(f"wttui asked a question it should not have:\n{text}")
                if before_answer is not None:
                    before_answer()
                os.write(leader, answer.encode() + b"\n")
                answered = True
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"wttui did not finish:\n{text}")
    finally:
        os.close(leader)
    return process.wait(), seen.decode(errors="replace").replace("\r\n", "\n")
