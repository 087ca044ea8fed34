"""An exclusive lock on a file, that says who holds it and is never left behind by the dead.

`flock` locks belong to an open file, so the kernel releases one the moment its holder exits,
however it exits (SIGKILL included): a dead holder never blocks anyone, there is no stale lock
to take over by hand. The holder writes its pid, command and start time into the file so that a
waiter can say what it is waiting for.

A lock taken with `inherit` is also handed to the git processes its thread starts while it is
held (`inherited_fds`, passed by the git provider): git runs in its own session so that a Ctrl-C
lets it finish its step, and if wttui is killed meanwhile the lock stays held until that git
has finished too, so the next wttui never works on a checkout git is still writing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from wttui.providers.private_files import private_dir

POLL = 0.1

_HELD = threading.local()
"""Per thread, the descriptors of the `inherit` locks it holds: only the thread that holds a
lock hands it down, so no other thread can start a child with a descriptor being closed."""


def _inherited() -> set[int]:
    fds: set[int] | None = getattr(_HELD, "fds", None)
    if fds is None:
        fds = _HELD.fds = set()
    return fds


def inherited_fds() -> tuple[int, ...]:
    """The descriptors of the `inherit` locks this thread holds: pass them to a child
    (`pass_fds`) that must keep the lock held while it runs, even after this process is
    gone."""
    return tuple(sorted(_inherited()))


class LockTimeout(Exception):
    """The lock was still held after the timeout; `holder` says by whom."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


def _command() -> str:
    """How the holder was started, as its user typed it (`python -m wttui …` says wttui)."""
    if not sys.argv or not sys.argv[0]:
        return "python"
    program = Path(sys.argv[0])
    name = program.parent.name if program.name == "__main__.py" else program.name
    return " ".join([name, *sys.argv[1:]])[:80]


def describe_holder(fd: int) -> str:
    """`pid 4242 (wttui demo) since 14:03:07`, or `another process` when it has not said.
    When that pid is gone, a program it started holds the lock (`inherit`): said so."""
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        since = datetime.fromtimestamp(float(info["since"])).astimezone().strftime("%H:%M:%S")
        pid = int(info["pid"])
        said = f"pid {pid} ({info['command']}) since {since}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
    if not _alive(pid):
        said += ", which has exited: a git it started is still finishing"
    return said


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def exclusive(
    path: Path,
    *,
    timeout: float,
    on_wait: Callable[[str], None] | None = None,
    check: Callable[[], None] | None = None,
    inherit: bool = False,
) -> Iterator[None]:
    """Hold the lock on `path` (created 0600) for the block; wait up to `timeout` seconds.

    `on_wait` is told once, with the holder's description, when the lock is busy; `check` is
    called between attempts while waiting, and stops the wait by raising (a cancel token's
    `check`: the user gave up waiting). With `inherit`, git processes started while it is held
    hold it too (see the module's docstring).

    Raises:
        LockTimeout: another process held it for the whole timeout.
    """
    private_dir(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = describe_holder(fd)
            if on_wait is not None:
                on_wait(holder)
            deadline = time.monotonic() + timeout
            while True:
                if check is not None:
                    check()
                time.sleep(POLL)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout(describe_holder(fd)) from None
        mine = json.dumps({"pid": os.getpid(), "command": _command(), "since": time.time()})
        os.ftruncate(fd, 0)
        os.pwrite(fd, mine.encode(), 0)
        if inherit:
            _inherited().add(fd)
        try:
            yield
        finally:
            _inherited().discard(fd)
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
