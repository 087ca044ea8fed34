"""What the app shows while an action runs: the worktree's row is marked (`⟳ migrating`), the
Log pane's title says `running migrate feat/x · <the current step> · 12s`, and a step whose
size is known shows a progress bar (`panes/log_progress.py`).

The seconds tick on a one-second timer that exists only while an action runs (DESIGN §4:
nothing animates while idle); the step is the newest `sink.step(…)` line, read from the batches
the Log pane receives. Nothing here touches a provider: it only arranges what the job reported.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.cells import cell_len, set_cell_size
from textual.app import App
from textual.timer import Timer

from wttui.ui.messages import Progress
from wttui.ui.panes.log import TITLE, LogPane
from wttui.ui.panes.worktrees import WorktreesPane

MARK = "⟳"
"""A running action's glyph; the word beside it says what runs (no colour needed)."""
DOING = {
    "migrate": "migrating",
    "rollback": "rolling back",
    "create": "creating",
    "remove": "removing",
    "sync": "syncing",
    "snapshot": "snapshotting",
    "restore": "restoring",
    "clone": "cloning",
    "delete": "deleting",
    "undo": "undoing",
    "start": "starting",
    "stop": "stopping",
    "logs": "reading logs",
}
"""What a row says while the action named by its job title's first word runs on it."""
CLOCK_SECONDS = 1.0
MIN_STEP = 8
"""A step cut shorter than this is left out of the title (the seconds matter more)."""
SEPARATOR = " · "


def doing(title: str) -> str:
    """The row's mark for the job called `title` (`migrate feat/x` → `⟳ migrating`)."""
    verb = title.split(" ", 1)[0].lower()
    return f"{MARK} {DOING.get(verb, 'running')}"


def running_title(title: str, step: str, seconds: int, width: int) -> str:
    """`running migrate feat/x · Applying 003_more.sql · 12s` in `width` cells at most: the
    step is cut (or left out) so that the seconds always show."""
    head, tail = f"running {title}", f"{seconds}s"
    room = width - cell_len(head) - cell_len(tail) - 2 * cell_len(SEPARATOR)
    if step and room >= MIN_STEP:
        if cell_len(step) > room:
            step = set_cell_size(step, room - 1) + "…"
        return SEPARATOR.join((head, step, tail))
    return SEPARATOR.join((head, tail))


def _now(stream: str, text: str) -> bool:
    """A step, or a line that says what starts now (it ends with ` …`, and its outcome
    follows on a line of its own)."""
    return stream == "step" or (stream == "out" and text.endswith(" …"))


class JobActivity:
    """The running action as the panes show it; one at a time, like the jobs."""

    def __init__(self, app: App[None]) -> None:
        self._app = app
        self._clock: Timer | None = None
        self.title = ""
        self.step = ""
        self._started = 0.0

    @property
    def ticking(self) -> bool:
        """The one-second clock runs (exactly while an action does)."""
        return self._clock is not None

    @property
    def seconds(self) -> int:
        return int(time.monotonic() - self._started)

    def begin(self, title: str, worktree: Path | None, started: float) -> None:
        """An action called `title` started (at `started`, monotonic) on `worktree`."""
        self.title, self.step, self._started = title, "", started
        if worktree is not None:
            self._app.query_one(WorktreesPane).set_running(worktree, doing(title))
        self._stop_clock()
        self._clock = self._app.set_interval(CLOCK_SECONDS, self._retitle, name="job-clock")
        self._retitle()

    def output(self, lines: list[tuple[str, str]], progress: Progress | None) -> None:
        """A batch of the job's output: the newest step, or the newest line announcing what
        runs now (`Applying 003_more.sql …`), goes into the title; a progress report to the
        bar."""
        steps = [text.removesuffix(" …") for stream, text in lines if _now(stream, text)]
        if steps and self.ticking:
            self.step = steps[-1]
            self._retitle()
        if progress is not None:
            self._app.query_one(LogPane).show_progress(*progress)

    def end(self) -> None:
        """The action ended: the clock stops, the mark and the bar go (the Log pane's
        `finish` then puts the outcome in the title)."""
        self._stop_clock()
        self._app.query_one(WorktreesPane).set_running(None)
        self._app.query_one(LogPane).show_progress(0, None)

    def _stop_clock(self) -> None:
        if self._clock is not None:
            self._clock.stop()
            self._clock = None

    def _retitle(self) -> None:
        panes = self._app.query(LogPane)
        if not panes:  # quitting: the panes are gone
            self._stop_clock()
            return
        log = panes.first()
        # The border's corners and a space either side, and the pane's own name.
        width = log.size.width - 4 - cell_len(TITLE + SEPARATOR)
        log.set_activity(running_title(self.title, self.step, self.seconds, width))
