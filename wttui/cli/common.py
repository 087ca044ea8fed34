"""What every command shares: the printing sink, running an action so Ctrl-C cancels it, and
plan → show → confirm (or `--dry-run`).

Data goes to stdout, narration (steps, plans, questions) to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from wttui.core.logsink import CancelToken
from wttui.errors import Cancelled, NeedsConfirmation

if TYPE_CHECKING:
    from wttui.core.housekeeping import AnyPlan as Plan
    from wttui.services import Services

T = TypeVar("T")

ABORT_WINDOW = 2.0
"""A second Ctrl-C within this many seconds of the first aborts at once."""


class PrintSink:
    """Narration on stderr: steps as `==> …`, lines indented."""

    def __init__(self, stream: Any = None) -> None:
        self._stream = stream or sys.stderr
        self._lock = threading.Lock()

    def step(self, text: str) -> None:
        with self._lock:
            print(f"==> {text}", file=self._stream, flush=True)

    def line(self, text: str, *, stream: str = "out") -> None:
        prefix = {"err": "  ! ", "warn": "  ⚠ "}.get(stream, "    ")
        with self._lock:
            print(prefix + text, file=self._stream, flush=True)


def services(args: argparse.Namespace) -> Services:
    """The repository's services (`-C DIR`, else the current directory)."""
    from wttui.services import Services

    return Services.from_path(Path(args.repo or ".").resolve())


def ref(args: argparse.Namespace) -> str:
    """The worktree a command names (`BRANCH`, a path or a directory), else the current one."""
    return getattr(args, "branch", None) or str(Path.cwd())


def run_action(action: Callable[[CancelToken], T]) -> T:
    """Run `action` in a thread so Ctrl-C cancels it through its token (statements, child
    processes) instead of killing wttui half way. A second Ctrl-C within two seconds aborts.

    Raises:
        Cancelled: the user pressed Ctrl-C (whatever the action raised when it stopped).
    """
    cancel = CancelToken()
    outcome: dict[str, Any] = {}
    finished = threading.Event()

    def target() -> None:
        try:
            outcome["result"] = action(cancel)
        except BaseException as exc:  # re-raised in the main thread
            outcome["error"] = exc
        finally:
            finished.set()

    thread = threading.Thread(target=target, name="wttui-action", daemon=True)
    thread.start()
    first: float | None = None
    # An Event, not `thread.join`: a join interrupted by Ctrl-C can leave the thread looking
    # finished while it still runs (CPython before 3.13), and the action's cleanup be cut off.
    while not finished.is_set():
        try:
            finished.wait(0.2)
        except KeyboardInterrupt:
            now = time.monotonic()
            if first is not None and now - first < ABORT_WINDOW:
                print("wttui: aborted", file=sys.stderr, flush=True)
                os._exit(130)
            first = now
            print("wttui: cancelling… (Ctrl-C again to abort)", file=sys.stderr, flush=True)
            cancel.cancel()
    error = outcome.get("error")
    if error is not None:
        if cancel.cancelled and not isinstance(error, Cancelled):
            # A child process the terminal interrupted too, or a statement cut short.
            raise Cancelled(_cancelled_text()) from error
        raise error
    return outcome["result"]  # type: ignore[no-any-return]


def _cancelled_text() -> str:
    return "Cancelled: the steps above ran; running the same command again finishes the rest"


def add_plan_options(
    command: argparse.ArgumentParser, *, yes: bool = True, force: str | None = None
) -> None:
    """`--dry-run`, and `--yes`/`--force` where the command can ask or be refused."""
    command.add_argument(
        "--dry-run", action="store_true", help="show what would be done, change nothing"
    )
    if yes:
        command.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    if force:
        command.add_argument("--force", action="store_true", help=force)


def show_plan(title: str, plan: Plan, *, stream: Any = None) -> None:
    """The plan's lines under a title (passwords masked)."""
    from wttui.present import describe

    out = stream or sys.stdout
    print(title, file=out)
    for line in describe(plan):
        print(f"  {line}", file=out)


def confirm_or_stop(args: argparse.Namespace, title: str, plan: Plan) -> bool:
    """Plan → show → confirm. False after `--dry-run` (the plan is printed on stdout).

    Raises:
        NeedsConfirmation: the plan asks and the user did not confirm, or there is no terminal
            to ask on and no `--yes`.
    """
    if getattr(args, "dry_run", False):
        show_plan(title, plan)
        if plan.confirmation is not None:
            typed = plan.confirmation.typed
            ask = f"type {typed}" if typed else "answer y"
            print(f"  confirm    {plan.confirmation.question} ({ask}, or --yes)")
        print("wttui: dry run: nothing was changed", file=sys.stderr)
        return False
    confirmation = plan.confirmation
    if confirmation is None or getattr(args, "yes", False):
        return True
    if not sys.stdin.isatty():
        raise NeedsConfirmation(
            f"{confirmation.question} Refusing without --yes (stdin is not a terminal)"
        )
    show_plan(title, plan, stream=sys.stderr)
    try:
        if confirmation.typed is not None:
            answer = input(f"{confirmation.question}\nType {confirmation.typed} to confirm: ")
            if answer.strip() != confirmation.typed:
                raise NeedsConfirmation(
                    "Not confirmed: the typed name did not match; nothing changed"
                )
            return True
        answer = input(f"{confirmation.question} [y/N] ")
    except EOFError:
        raise NeedsConfirmation("Not confirmed; nothing changed") from None
    if answer.strip().lower() not in ("y", "yes"):
        raise NeedsConfirmation("Not confirmed; nothing changed")
    return True


def background_templates(found: Services) -> None:
    """After a create or a migrate on the main branch: bring the template cache up to date in
    a background process (off with `[database] template_cache = false` or
    `WTTUI_NO_BACKGROUND=1`)."""
    from wttui.actions.templates import spawn_build

    log = spawn_build(found)
    if log:
        print(f"wttui: updating the template cache in the background (log: {log})", file=sys.stderr)
