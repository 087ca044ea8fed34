"""What every command shares: the printing sink, running an action so Ctrl-C cancels it, and
plan → show → confirm (or `--dry-run`).

Data goes to stdout, narration (steps, plans, questions) to stderr.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from wttui.core.logsink import CancelToken, LogSink
from wttui.errors import EXIT_INTERRUPTED, Cancelled, NeedsConfirmation

if TYPE_CHECKING:
    from wttui.core.housekeeping import AnyPlan as Plan
    from wttui.services import Services

T = TypeVar("T")
P = TypeVar("P")

ABORT_WINDOW = 2.0
"""A second Ctrl-C within this many seconds of the first aborts at once."""
PROGRESS_SECONDS = 5.0
"""A measured step prints how far it is at most this often, and only once it has run this long
(a quick copy prints no progress at all)."""


class PrintSink(LogSink):
    """Narration on stderr: steps as `==> …`, lines indented."""

    def __init__(self, stream: Any = None) -> None:
        self._stream = stream or sys.stderr
        self._lock = threading.Lock()
        self.steps: list[str] = []
        """The steps printed so far: what a cancel says was done."""
        self._measured_since: float | None = None
        self._progress_printed = 0.0

    def step(self, text: str) -> None:
        with self._lock:
            self.steps.append(text)
            print(f"==> {text}", file=self._stream, flush=True)

    def line(self, text: str, *, stream: str = "out") -> None:
        prefix = {"err": "  ! ", "warn": "  ⚠ "}.get(stream, "    ")
        with self._lock:
            print(prefix + text, file=self._stream, flush=True)

    def progress(self, done: int, total: int | None, label: str = "") -> None:
        """A percentage line every `PROGRESS_SECONDS` while a measured step runs."""
        from wttui.present import progress_words

        now = time.monotonic()
        with self._lock:
            if total is None or total <= 0:
                self._measured_since = None
                return
            if self._measured_since is None:
                self._measured_since = self._progress_printed = now
                return
            if now - self._progress_printed < PROGRESS_SECONDS:
                return
            self._progress_printed = now
            print(f"    {progress_words(done, total, label)}", file=self._stream, flush=True)


def services(args: argparse.Namespace) -> Services:
    """The repository's services (`-C DIR`, else the current directory)."""
    from wttui.services import Services

    return Services.from_path(Path(args.repo or ".").resolve())


def ref(args: argparse.Namespace) -> str:
    """The worktree a command names (`BRANCH`, a path or a directory), else the current one."""
    return getattr(args, "branch", None) or str(Path.cwd())


def run_action(
    action: Callable[[CancelToken], T], *, sink: PrintSink | None = None, resumable: bool = True
) -> T:
    """Run `action` in a thread so Ctrl-C cancels it through its token (statements, child
    processes, a wait for the lock) instead of killing wttui half way. A second Ctrl-C within
    two seconds aborts at once (exit 130).

    Ctrl-C is taken by a signal handler that only sets the token: the main thread is never
    interrupted in the middle of anything (an interrupted `Thread.join` would take the action
    for finished, bpo-45274), and git, which runs in its own session, finishes the step it is
    in. `sink`, when given, is the one the action narrates to: its steps say what was done.
    `resumable`: running the same command again finishes what a cancel left (not so for a
    relative command such as `rollback -n 2`).

    Raises:
        Cancelled: the user pressed Ctrl-C; its message says which steps ran and that running
            the same command again finishes the rest.
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

    pressed: list[float] = []

    def on_interrupt(signum: int, frame: object) -> None:
        del signum, frame
        now = time.monotonic()
        if pressed and now - pressed[-1] < ABORT_WINDOW:
            print("wttui: aborted", file=sys.stderr, flush=True)
            os._exit(EXIT_INTERRUPTED)
        pressed.append(now)
        print("^C cancelling… (Ctrl-C again to abort)", file=sys.stderr, flush=True)
        cancel.cancel()

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_interrupt) if in_main else None
    try:
        thread = threading.Thread(target=target, name="wttui-action", daemon=True)
        thread.start()
        while not finished.wait(0.2):
            pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    error = outcome.get("error")
    if error is not None:
        from wttui.repo_lock import CancelledWaiting

        if isinstance(error, CancelledWaiting):
            raise error
        if isinstance(error, Cancelled) or cancel.cancelled:
            # Also a child process the terminal interrupted, or a statement cut short.
            raise Cancelled(cancelled_text(sink, resumable=resumable)) from error
        raise error
    return outcome["result"]  # type: ignore[no-any-return]


def cancelled_text(sink: PrintSink | None, *, resumable: bool = True) -> str:
    """What a cancel did and did not do: the steps that ran, and how to finish the rest."""
    again = shlex.join(["wttui", *sys.argv[1:]])
    steps = sink.steps if sink is not None else []
    done = (
        f"Cancelled during “{steps[-1]}” ({len(steps)} step(s) ran, above)"
        if steps
        else "Cancelled: the steps above ran"
    )
    if not resumable:
        return f"{done}; what was left is not done: see `wttui status` before running it again"
    return f"{done}; what was left is not done: `{again}` again finishes it"


def run_changing(
    args: argparse.Namespace,
    found: Services,
    plan: P,
    execute: Callable[[P, LogSink, CancelToken], T],
    *,
    replan: Callable[[], P] | None = None,
    resumable: bool = True,
    sink: PrintSink | None = None,
) -> T:
    """`run_action` for an action that changes the repository: it holds the repository's lock
    (`wttui.repo_lock`), waiting for another wttui or, with `--no-wait`, refusing at once;
    after a wait the action is planned again with `replan`. Narration goes to `sink` (default:
    stderr)."""
    from wttui.repo_lock import run_exclusive

    sink = sink or PrintSink()
    wait = not getattr(args, "no_wait", False)
    return run_action(
        lambda cancel: run_exclusive(
            found,
            plan,
            lambda fresh: execute(fresh, sink, cancel),
            replan=replan,
            sink=sink,
            cancel=cancel,
            wait=wait,
        ),
        sink=sink,
        resumable=resumable,
    )


def add_plan_options(
    command: argparse.ArgumentParser,
    *,
    yes: bool = True,
    force: str | None = None,
    lock: bool = True,
) -> None:
    """`--dry-run`, `--no-wait` (commands that take the repository's lock), and
    `--yes`/`--force` where the command can ask or be refused."""
    command.add_argument(
        "--dry-run", action="store_true", help="show what would be done, change nothing"
    )
    if lock:
        command.add_argument(
            "--no-wait",
            action="store_true",
            help="when another wttui is changing this repository, stop at once (exit 4)",
        )
    if yes:
        command.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    if force:
        command.add_argument("--force", action="store_true", help=force)


def show_plan(title: str, plan: Plan, *, stream: Any = None) -> None:
    """The plan's lines under a title (passwords masked)."""
    from wttui.present_plans import describe

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
