"""The progress bar at the bottom of the Log pane, shown while a long step is measured.

The reports come from the step's sink (`LogSink.progress`), batched with the log lines
(`JobOutput`), so the bar moves a few times a second at most. The words say what is measured
and how far (`pg_dump: 42% (120.3 MiB of 286.1 MiB)`), so the bar reads without colour.

Textual's `ProgressBar` runs a one-second timer for as long as it is mounted, so it is mounted
when a measured step starts and removed when it ends: an idle app runs no timer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

if TYPE_CHECKING:  # imported with the first measured step, not before the first frame (P1)
    from textual.widgets import ProgressBar


class StepProgress(Horizontal):
    """Words and a bar for one measured step; hidden when nothing is measured."""

    DEFAULT_CSS = """
    StepProgress {
        dock: bottom;
        height: 1;
        display: none;
    }
    StepProgress > #progress-words {
        width: auto;
        max-width: 60%;
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding-right: 1;
    }
    StepProgress > ProgressBar, StepProgress Bar {
        width: 1fr;
    }
    """

    def __init__(self) -> None:
        super().__init__(id="log-progress")
        self.shown: tuple[int, int, str] | None = None
        """What the bar shows now: `(done, total, label)`; None when hidden."""

    def compose(self) -> ComposeResult:
        yield Static("", id="progress-words")

    @property
    def bar(self) -> ProgressBar | None:
        from textual.widgets import ProgressBar

        return next(iter(self.query(ProgressBar)), None)

    def report(self, done: int, total: int | None, label: str) -> None:
        """Show `done` of `total`; `total` None (or not positive) hides the bar."""
        if total is None or total <= 0:
            self.hide()
            return
        done = max(0, min(done, total))
        self.shown = (done, total, label)
        from wttui.present import progress_words  # while an action runs, not at first frame

        self.query_one("#progress-words", Static).update(Text(progress_words(done, total, label)))
        bar = self.bar
        if bar is None:
            from textual.widgets import ProgressBar

            bar = ProgressBar(total=total, show_percentage=False, show_eta=False)
            self.mount(bar)
        bar.update(total=total, progress=done)
        self.display = True

    def hide(self) -> None:
        self.shown = None
        self.display = False
        bar = self.bar
        if bar is not None:
            bar.remove()  # its timer goes with it
