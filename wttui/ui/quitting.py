"""Quitting while an action runs: ask first, as lazygit does.

`q`, `Q` and `ctrl+q` quit at once when nothing runs. While an action runs they ask "An action
is running (migrate feat/x): cancel it and quit?" (the focus on No). Yes cancels it through its
token, as `x` does, says so in the log, and quits once the action has stopped (so a migration
ends rolled back, not killed half way); `q` still lands the shell in the selected worktree
then. No (or esc) leaves everything running. Pressing a quit key again while waiting for the
action to stop quits without waiting.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App

from wttui.ui.jobs import JobRunner
from wttui.ui.panes.log import LogPane
from wttui.ui.progress import JobActivity

Quit = Callable[[], None]


def question(title: str) -> str:
    return f"An action is running ({title}): cancel it and quit?"


class QuitGuard:
    """Decides what a quit key does while an action may be running."""

    def __init__(self, app: App[None], jobs: JobRunner, activity: JobActivity) -> None:
        self._app = app
        self._jobs = jobs
        self._activity = activity
        self._asking = False
        self._waiting: Quit | None = None
        """The quit to finish once the cancelled action has stopped."""

    @property
    def waiting(self) -> bool:
        """A quit was confirmed: the action is being cancelled, wttui quits when it stops."""
        return self._waiting is not None

    def request(self, quit: Quit) -> None:
        """A quit key: `quit()` now, or after the question and the cancel."""
        job = self._jobs.current
        if job is None or self._waiting is not None:
            self._waiting = None
            quit()  # nothing runs, or asked twice: the user does not want to wait
            return
        if self._asking:
            return  # the question is on screen already
        self._asking = True
        lines = [
            f"{job.title} has run for {self._activity.seconds} s"
            + (f": {self._activity.step}" if self._activity.step else "."),
            "Cancelling stops it at its next safe point, as x does; wttui quits then.",
        ]
        # Imported when asked: the plan models stay out of the first frame (P1).
        from wttui.core.plans import Confirmation
        from wttui.ui.screens.confirm import ConfirmScreen

        screen = ConfirmScreen(
            "Quit?", lines, Confirmation(question(job.title), yes="Cancel and quit")
        )
        self._app.push_screen(screen, lambda yes: self._answered(quit, bool(yes)))

    def _answered(self, quit: Quit, yes: bool) -> None:
        self._asking = False
        if not yes:
            return
        job = self._jobs.current
        if job is None:  # it ended while the question was open
            quit()
            return
        self._waiting = quit
        self._jobs.cancel()
        self._app.query_one(LogPane).write_lines(
            [("warn", f"cancelling {job.title}: wttui quits once it has stopped (q: now)")]
        )

    def job_ended(self) -> None:
        """The running action ended: a confirmed quit goes ahead."""
        quit, self._waiting = self._waiting, None
        if quit is not None:
            quit()
