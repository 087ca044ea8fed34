"""Quitting while an action runs: ask first, as lazygit does.

`q`, `Q` and `ctrl+q` quit at once when nothing runs. While an action runs they ask "An action
is running (migrate feat/x): cancel it and quit?" (the focus on No). Yes cancels it through its
token, as `x` does, says so in the log, and quits once the action has stopped (so a migration
ends rolled back, not killed half way); `q` still lands the shell in the selected worktree
then. No (or esc) leaves everything running. Pressing a quit key again while waiting for the
action to stop quits without waiting.

An action the user asked for but that has not started yet counts too: `b q` typed in one burst
(the rollback is still being planned), or `q` on the dialog that confirms it. Then the question
is "… is not started yet: drop it and quit?"; yes quits (nothing ran), no goes on — a plan that
came back while the question was open shows its dialog (or starts) only then.
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


def pending_question(title: str) -> str:
    return f"An action is not started yet ({title}): drop it and quit?"


def dialog_question(title: str) -> str:
    return f"The dialog “{title}” waits for your answer: drop its action and quit?"


class QuitGuard:
    """Decides what a quit key does while an action may be running."""

    def __init__(self, app: App[None], jobs: JobRunner, activity: JobActivity) -> None:
        self._app = app
        self._jobs = jobs
        self._activity = activity
        self._asking = False
        self._waiting: Quit | None = None
        """The quit to finish once the cancelled action has stopped."""
        self._planning: str | None = None
        """The title of the action being planned (its plan is read in a worker)."""
        self._held: list[Callable[[], None]] = []
        """What a plan that came back during the question does, once it is answered no."""

    def planning(self, title: str) -> None:
        """The action `title` is being planned: a quit key asks until `planned` is called."""
        self._planning = title

    def planned(self, then: Callable[[], None]) -> None:
        """The plan came back: `then()` (its dialog, its job, its refusal) now, or once the
        quit question is answered no."""
        self._planning = None
        if self._asking:
            self._held.append(then)
        else:
            then()

    def _pending(self) -> str | None:
        """The question for an action the user asked for that has not started: it is being
        planned, or its dialog is open; None when there is none."""
        if self._planning is not None:
            return pending_question(self._planning)
        if self._asking:
            return None  # the dialog on screen is this question
        title = getattr(self._app.screen, "action_title", None)
        return dialog_question(title) if title else None

    @property
    def waiting(self) -> bool:
        """A quit was confirmed: the action is being cancelled, wttui quits when it stops."""
        return self._waiting is not None

    def request(self, quit: Quit) -> None:
        """A quit key: `quit()` now, or after the question and the cancel."""
        job = self._jobs.current
        pending = self._pending() if job is None else None
        if (job is None and pending is None) or self._waiting is not None:
            self._waiting = None
            quit()  # nothing runs, or asked twice: the user does not want to wait
            return
        if self._asking:
            return  # the question is on screen already
        self._asking = True
        # Imported when asked: the plan models stay out of the first frame (P1).
        from wttui.core.plans import Confirmation
        from wttui.ui.screens.confirm import ConfirmScreen

        if job is None:
            assert pending is not None
            lines = ["Nothing has run yet: quitting drops it."]
            self._app.push_screen(
                ConfirmScreen("Quit?", lines, Confirmation(pending, yes="Quit")),
                lambda yes: self._answered(quit, bool(yes)),
            )
            return
        lines = [
            f"{job.title} has run for {self._activity.seconds} s"
            + (f": {self._activity.step}" if self._activity.step else "."),
            "Cancelling stops it at its next safe point, as x does; wttui quits then.",
        ]
        screen = ConfirmScreen(
            "Quit?", lines, Confirmation(question(job.title), yes="Cancel and quit")
        )
        self._app.push_screen(screen, lambda yes: self._answered(quit, bool(yes)))

    def _answered(self, quit: Quit, yes: bool) -> None:
        self._asking = False
        held, self._held = self._held, []
        if not yes:
            for then in held:  # a plan that came back meanwhile: its dialog, its job now
                then()
            return
        job = self._jobs.current
        if job is None:  # it ended while the question was open, or it never started
            self._planning = None
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
