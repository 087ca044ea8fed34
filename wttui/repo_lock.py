"""One wttui changes a repository at a time (DESIGN §9, issue 13).

Every action that changes something — create, remove, reset, migrate, roll back, starting or
stopping a container; from the CLI or the app — runs holding an exclusive lock on
`<git common dir>/wttui/changing.lock`. It is a `flock` (`providers/file_lock.py`): the kernel
drops it the moment its holder exits, however it exits (SIGKILL included), so a dead holder's
lock is simply taken by the next wttui; there is nothing stale to clean up. The lock lives in
the repository's shared git directory, so every worktree, every terminal and the app agree on
it whatever their `WTTUI_DATA_DIR`.

A second wttui waits and says for whom (`pid 4242 (wttui create feat/x) since 14:03:07`), or,
told not to wait (`--no-wait`), stops at once with exit 4 and changes nothing. Waiting is
cancelled like any step (Ctrl-C, `x` in the app). Reads — `status`, the app's refresh, `drift`,
`--dry-run` — never take the lock, so they never wait.

A plan made before waiting may be stale once the lock is ours (the other wttui may have made
the same worktree, applied the same migrations): the action is planned again, and runs only if
what the user confirmed — the plan's question — is still what it asks.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from wttui.core.logsink import CancelToken, LogSink
from wttui.errors import Cancelled, Refused
from wttui.providers.file_lock import LockTimeout, exclusive

if TYPE_CHECKING:
    from wttui.services import Services

P = TypeVar("P")
T = TypeVar("T")

LOCK_DIR = "wttui"
LOCK_NAME = "changing.lock"


class Busy(Refused):
    """Another wttui is changing this repository, and this one was told not to wait."""


class CancelledWaiting(Cancelled):
    """Cancelled while waiting for the lock: nothing was changed."""


def lock_path(services: Services) -> Path:
    """The repository's lock: in the git common dir, shared by all of its worktrees."""
    return services.git.common_dir / LOCK_DIR / LOCK_NAME


@contextlib.contextmanager
def changing(
    services: Services,
    *,
    sink: LogSink,
    cancel: CancelToken,
    wait: bool = True,
    how_to_stop: str = "Ctrl-C stops waiting",
) -> Iterator[bool]:
    """Hold the repository's lock for the block; yields True when it had to wait for it.
    While waiting, the sink says for whom, and `how_to_stop` (the CLI's Ctrl-C, the app's x).

    Raises:
        Busy: another wttui holds it and not `wait`.
        CancelledWaiting: `cancel` was set while waiting.
    """
    waited: list[str] = []

    def on_wait(holder: str) -> None:
        waited.append(holder)
        if wait:
            sink.step(
                f"Waiting for {holder}: another wttui is changing this repository ({how_to_stop})"
            )

    inside = False
    try:
        with exclusive(
            lock_path(services),
            timeout=math.inf if wait else 0.0,
            on_wait=on_wait,
            check=cancel.check,
            inherit=True,  # a git wttui started keeps it until it has finished
        ):
            inside = True
            yield bool(waited)
    except LockTimeout as exc:
        raise Busy(
            f"Another wttui is changing this repository: {exc.holder}; nothing was changed",
            hint="wait for it to finish, or run the command again without --no-wait",
        ) from None
    except Cancelled:
        if inside:
            raise
        holder = waited[0] if waited else "the lock"
        raise CancelledWaiting(
            f"Cancelled while waiting for {holder}; nothing was changed"
        ) from None


def run_exclusive(
    services: Services,
    plan: P,
    execute: Callable[[P], T],
    *,
    replan: Callable[[], P] | None,
    sink: LogSink,
    cancel: CancelToken,
    wait: bool = True,
    how_to_stop: str = "Ctrl-C stops waiting",
) -> T:
    """`execute(plan)` holding the repository's lock. When it had to wait, the action is
    planned again with `replan` (raising what the plan raises now) and the fresh plan runs if
    it asks the same question as the one the user answered.

    Raises:
        Busy, CancelledWaiting: see `changing`.
        Refused: the plan now asks something else (the repository changed while waiting).
    """
    with changing(services, sink=sink, cancel=cancel, wait=wait, how_to_stop=how_to_stop) as waited:
        if waited and replan is not None:
            sink.line("Planning again: the repository may have changed while this waited")
            fresh = replan()
            if _question(fresh) != _question(plan):
                raise Refused(
                    "The plan changed while this waited for the other wttui; nothing was changed",
                    hint="run the command again to see the new plan",
                )
            plan = fresh
        return execute(plan)


def _question(plan: Any) -> object:
    return getattr(plan, "confirmation", None)
