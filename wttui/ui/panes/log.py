"""Pane 4: the running action's log, streamed, with a header and an exit footer per action.

While an action runs, its title says so (`running migrate feat/x · step · 12s`, kept by
`ui/progress.py`) and a measured step shows a bar at the bottom (`log_progress.py`); when it
ends, the title says how it ended.

The log follows new lines until the user scrolls up, and follows again once they are back at
the bottom (`G`). `/` searches it (`n`/`N` move between matches); the palette saves it to a file.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Input

from wttui.ui.commands import bindings
from wttui.ui.panes.log_progress import StepProgress
from wttui.ui.panes.log_view import MAX_LINES, LogView

TITLE = "4 Log"
PREFIXES: dict[str, tuple[str, str]] = {
    "step": ("==> ", "bold"),
    "err": ("  ! ", "red"),
    "warn": ("  ⚠ ", "yellow"),
    "out": ("    ", ""),
}
"""How each stream of an action's output is marked (the mark reads without colour)."""


class LogPane(Vertical):
    """Appends lines; searchable; follows the end unless the user scrolled up."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("log")

    DEFAULT_CSS = """
    LogPane {
        height: 7;
        padding: 0 1;
    }
    LogPane > RichLog {
        height: 1fr;
        background: transparent;
        overflow-y: auto;
        overflow-x: hidden;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
    }
    LogPane > #log-search {
        display: none;
        height: 1;
        border: none;
        padding: 0;
    }
    """

    def __init__(self) -> None:
        super().__init__(id="log", classes="pane")
        self.border_title = TITLE
        self._record: deque[tuple[datetime, str]] = deque(maxlen=MAX_LINES)
        """What was written, as plain text with the time: for saving."""
        self._activity = ""
        self._term = ""
        self._matches: list[int] = []
        self._current = -1

    def compose(self) -> ComposeResult:
        # The lines' view (a RichLog) is mounted right after the first frame (`view`): an
        # empty log shows nothing the first frame needs (P1).
        # The search field is mounted when first opened: the first frame has no use for it.
        yield StepProgress()

    @property
    def view(self) -> LogView:
        """The lines (mounted on first use: the app asks for it after the first frame)."""
        view = next(self.query(LogView).results(LogView), None)
        if view is None:
            view = LogView()
            self.mount(view, before=self.progress)
        return view

    @property
    def lines(self) -> list[Strip]:
        """The rendered (wrapped) lines on screen and above."""
        return self.view.lines

    @property
    def following(self) -> bool:
        return self.view.auto_scroll

    # -- writing -----------------------------------------------------------------------------

    def write(self, content: RenderableType) -> None:
        """One entry (a `str` is plain text, never markup)."""
        if isinstance(content, str):
            content = Text(content)
        self.view.add(content)
        plain = content.plain if isinstance(content, Text) else str(content)
        self._record.append((datetime.now().astimezone(), plain))
        if self._term:
            self._find(keep=True)

    def begin(self, title: str) -> None:
        self.write(Text(f"▶ {title}", style="bold"))

    def write_lines(self, lines: list[tuple[str, str]]) -> None:
        """A batch of an action's lines, written as one update: a stream of thousands of lines
        costs the UI one layout per batch, not one per line, and keys stay quick (P5)."""
        if not lines:
            return
        now = datetime.now().astimezone()
        marked: list[tuple[str, str]] = []
        for stream, text in lines:
            prefix, style = PREFIXES.get(stream, PREFIXES["out"])
            marked.append((f"{prefix}{text}", style))
            self._record.append((now, f"{prefix}{text}"))
        self.view.add_lines(marked)
        if self._term:
            self._find(keep=True)

    def finish(self, ok: bool, summary: str) -> None:
        """The action's footer; the title says how it ended until the next one starts."""
        mark = "✓" if ok else "✗"
        self.write(Text(f"{mark} {summary}", style="green bold" if ok else "red bold"))
        self.show_progress(0, None)
        self.set_activity(f"{mark} {summary}")

    @property
    def progress(self) -> StepProgress:
        return self.query_one(StepProgress)

    def show_progress(self, done: int, total: int | None, label: str = "") -> None:
        """The measured step's bar (`total` None: none); the pane grows a line for it where
        it is only a line or two high (CSS `-progress`)."""
        self.progress.report(done, total, label)
        self.set_class(self.progress.shown is not None, "-progress")

    def set_activity(self, text: str) -> None:
        """What the pane's title says besides its name (`running migrate feat/x · 12s`)."""
        self._activity = text
        self._retitle()

    def _retitle(self) -> None:
        parts = [TITLE]
        if self._activity:
            parts.append(self._activity)
        if not self.following:
            parts.append("paused: G follows")
        if self._term:
            found = f"{self._current + 1}/{len(self._matches)}" if self._matches else "no match"
            parts.append(f"/{self._term} {found}")
        self.border_title = Content(" · ".join(parts))

    def on_log_view_follow_changed(self, event: LogView.FollowChanged) -> None:
        event.stop()
        self._retitle()

    def on_log_view_rewrapped(self, event: LogView.Rewrapped) -> None:
        event.stop()
        if self._term:
            self._find(keep=False)

    # -- keys (from the key table: j k g G / n N) --------------------------------------------

    def action_scroll_down(self) -> None:
        self.view.scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.view.scroll_up(animate=False)

    def action_scroll_home(self) -> None:
        self.view.scroll_home(animate=False)

    def action_follow(self) -> None:
        self.view.auto_scroll = True
        self.view.scroll_end(animate=False, immediate=True)
        self._retitle()

    @property
    def search_box(self) -> Input | None:
        """The search field, once it has been opened."""
        return next(self.query("#log-search").results(Input), None)

    def action_search(self) -> None:
        box = self.search_box
        if box is None:
            box = Input(placeholder="search the log… (enter: keep, esc: close)", id="log-search")
            self.mount(box, after=self.view)
        box.display = True
        box.focus()

    def action_close_search(self) -> None:
        box = self.search_box
        if box is not None:
            box.value = ""
            box.display = False
        self._set_term("")
        self.view.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        del parameters
        if action == "close_search":
            # Without a search, esc means what it means everywhere else (back to worktrees).
            box = self.search_box
            return bool(self._term) or (box is not None and box.display)
        return True

    def action_next_match(self) -> None:
        self._step(1)

    def action_previous_match(self) -> None:
        self._step(-1)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._set_term(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.display = False
        self.view.focus()

    # -- search ------------------------------------------------------------------------------

    def _set_term(self, term: str) -> None:
        self._term = term
        self._find(keep=False)

    def _find(self, *, keep: bool) -> None:
        """Every line with the term; `keep` stays on the current match, else the newest one."""
        needle = self._term.lower()
        current = self._matches[self._current] if keep and self._matches else None
        self._matches = (
            [i for i, strip in enumerate(self.view.lines) if needle in strip.text.lower()]
            if needle
            else []
        )
        if not self._matches:
            self._current = -1
        elif current in self._matches:
            self._current = self._matches.index(current)
        else:
            self._current = len(self._matches) - 1
        self._show_match(scroll=not keep)

    def _step(self, delta: int) -> None:
        if not self._matches:
            self.notify("No search: / searches the log" if not self._term else "No match")
            return
        self._current = (self._current + delta) % len(self._matches)
        self._show_match(scroll=True)

    def _show_match(self, *, scroll: bool) -> None:
        view = self.view
        view.match_line = self._matches[self._current] if self._matches else None
        if scroll and view.match_line is not None:
            # In the middle of the view; looking at a match is not following.
            top = max(0, view.match_line - view.scrollable_content_region.height // 2)
            view.scroll_to(y=top, animate=False, immediate=True)
        view.refresh()
        self._retitle()

    # -- saving ------------------------------------------------------------------------------

    def text(self) -> str:
        """The log as a file holds it: one time-stamped entry per line."""
        return "".join(
            f"{moment:%Y-%m-%d %H:%M:%S} {line}\n"
            for moment, text in self._record
            for line in text.splitlines() or [""]
        )

    def save(self, folder: Path) -> None:
        """Write the log to a new file in `folder` (in a worker) and say where it went."""
        content = self.text()
        path = folder / f"wttui-{datetime.now().astimezone():%Y%m%d-%H%M%S}.log"

        def write() -> None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
            except OSError as exc:
                self.app.call_from_thread(
                    self.notify, f"Could not save the log: {exc}", severity="error", markup=False
                )
                return
            self.app.call_from_thread(
                self.notify, f"Log saved to {path}", title="wttui", markup=False, timeout=10
            )

        self.run_worker(write, thread=True, group="save-log", exit_on_error=False)
