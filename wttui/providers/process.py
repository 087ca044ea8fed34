"""Child processes whose output streams into a `LogSink`, cancellable, passwords masked."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.urls import mask_secrets
from wttui.errors import Cancelled, InvalidInput


def stream(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    sink: LogSink,
    cancel: CancelToken,
    secrets: tuple[str, ...] = (),
    capture: bool = True,
    missing_hint: str | None = None,
) -> int:
    """Run `command` and return its exit status. With `capture`, each output line (stderr
    merged) goes to `sink` with `secrets` masked; without, it shares the caller's terminal.

    Raises:
        InvalidInput: the program cannot be started (`missing_hint` says what to do).
        Cancelled: `cancel` was set while it ran (it is terminated).
    """
    try:
        child = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.STDOUT if capture else None,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        raise InvalidInput(f"Cannot run {command[0]}: {exc.strerror}", hint=missing_hint) from None
    unregister = cancel.on_cancel(child.terminate)
    try:
        for line in child.stdout or ():
            sink.line(mask_secrets(line.rstrip("\n"), secrets))
        status = child.wait()
    finally:
        unregister()
    if cancel.cancelled:
        raise Cancelled(f"Cancelled {command[0]}")
    return status
