"""The Log pane's lines: a `RichLog` that takes an action's output a batch at a time, cheaply.

An action can print ten thousand lines while the user keeps pressing keys (P5: a key answers
within 50 ms). Written through `RichLog.write`, a batch of a hundred lines cost the UI thread
6–25 ms on the 2-core CI machine (Rich measures the whole batch, then word-wraps every line)
and a bigger batch proportionally more, in one go, while a key waited. Here a batch line that
holds only printable characters and fits the width (nearly every log line) becomes its strip
directly, a few microseconds each; only the rest (too long, tabs, control characters) goes
through Rich's wrapping. Whatever the batch, the view is measured, trimmed and scrolled once.

Memory stays bounded in lines, not in writes: at most `MAX_LINES` entries are kept for
wrapping again, and each line of a batch is an entry of its own.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.events import Resize
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widgets import RichLog

MAX_LINES = 5000
"""Memory stays bounded however long an action talks."""
MATCH = Style(reverse=True, bold=True)
"""A search match: reverse video reads without colour too."""

Line = tuple[str, str]
"""A line of an action's output as it is shown: its text (with its mark) and its style."""


class LogView(RichLog):
    """The lines; `auto_scroll` (following) is on exactly when the view is at the bottom.

    RichLog wraps an entry once, at the width it has when written, and crops it after: so the
    scrollbar's gutter is always kept (the bar appearing does not narrow the text) and the
    entries are wrapped again when the view's width changes (zoom, a resized terminal)."""

    class FollowChanged(Message):
        """The user scrolled away from the bottom, or back to it."""

    class Rewrapped(Message):
        """The lines were wrapped again for a new width: line indexes changed."""

    def __init__(self) -> None:
        # min_width 1: RichLog's default (78) renders wider than a narrow pane and crops.
        super().__init__(id="log-view", max_lines=MAX_LINES, wrap=True, markup=False, min_width=1)
        self.match_line: int | None = None
        """The index in `lines` of the search match to mark, if any."""
        self._entries: deque[RenderableType | Line] = deque(maxlen=MAX_LINES)
        """What was written, to wrap again: renderables, and batch lines one entry each."""
        self._width = 0
        """The width the lines were wrapped at."""
        self._styles: dict[str, Style] = {}

    def add(self, content: RenderableType) -> None:
        """Write one entry and keep it for wrapping again."""
        self._entries.append(content)
        self.write(content)

    def add_lines(self, lines: list[Line]) -> None:
        """Write a batch of lines as one update: one measure, one trim, one scroll."""
        lines = lines[-MAX_LINES:]  # the older ones would be trimmed at once
        self._entries.extend(lines)
        self._write_lines(lines)

    def _write_lines(self, lines: list[Line], *, scroll_end: bool | None = None) -> None:
        if not self._size_known:
            # Before the first size, RichLog defers writes; one Text keeps the batch whole.
            self.write(Text("\n").join(Text(text, style=style) for text, style in lines))
            return
        width = max(self.scrollable_content_region.width, self.min_width)
        strips: list[Strip] = []
        for text, style in lines:
            cells = cell_len(text)
            if cells <= width and text.isprintable():
                strips.append(Strip([Segment(text, self._style(style))], cells))
            else:
                strips.extend(self._wrap(Text(text, style=style), width))
        self._append(strips, self.auto_scroll if scroll_end is None else scroll_end)

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = Style.parse(name) if name else Style()
        return style

    def _wrap(self, text: Text, width: int) -> list[Strip]:
        """A line that does not fit (or holds tabs or control characters), as Rich wraps it."""
        text.expand_tabs()
        console = self.app.console
        segments = console.render(text, console.options.update_width(width))
        return [Strip(line) for line in Segment.split_lines(segments)] or [Strip.blank(width)]

    def _append(self, strips: list[Strip], scroll_end: bool) -> None:
        """What `RichLog.write` does after rendering, once for the whole batch."""
        self.lines.extend(strips)
        if len(self.lines) > MAX_LINES:
            self._start_line += len(self.lines) - MAX_LINES
            self.lines = self.lines[-MAX_LINES:]
            self.refresh()  # the lines on screen moved up
        if strips:
            widest = max(strip.cell_length for strip in strips)
            self._widest_line_width = max(self._widest_line_width, widest)
        self._grow(Size(self._widest_line_width, len(self.lines)))
        if scroll_end:
            self.scroll_end(animate=False, immediate=False, x_axis=False)

    def _grow(self, size: Size) -> None:
        """The new scrollable size, without laying out the whole screen when that is moot.

        Setting `virtual_size` asks for a layout of every pane (Textual cannot know that the
        view's own size does not depend on it): 5–15 ms on the 2-core machine, once a batch.
        The view's size is the pane's (`1fr`, never its content's), so once the scrollbar is
        shown (its gutter is always kept) a taller log changes only the scroll range and the
        bar, which `_scroll_update` sets, as Textual does after a layout. Until then, and when
        the log shrinks (`clear`), the layout runs: it is what puts the scrollbar on screen."""
        height = self.scrollable_content_region.height
        if self.show_vertical_scrollbar and size.height >= self.virtual_size.height > height:
            self.set_reactive(LogView.virtual_size, size)
            self._scroll_update(size)
            self.refresh()
        else:
            self.virtual_size = size

    def on_resize(self, event: Resize) -> None:
        # RichLog's own handler runs too (Textual calls each class's): it writes what was
        # deferred until the first size was known.
        del event
        width = self.scrollable_content_region.width
        if self._size_known and self._entries and width != self._width:
            following = self.auto_scroll
            self.clear()
            for run in _runs(self._entries):
                if isinstance(run, list):
                    self._write_lines(run, scroll_end=False)
                else:
                    self.write(run, scroll_end=False)
            if following:
                self.scroll_end(animate=False, immediate=True)
                # Again once the new size is laid out: the bottom computed now can be the old
                # size's (a walkthrough saw a following log stop short after a few resizes).
                self.call_after_refresh(self.scroll_end, animate=False, x_axis=False)
            self.post_message(self.Rewrapped())
        self._width = width

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        following = new_value >= self.max_scroll_y
        if following != self.auto_scroll:
            self.auto_scroll = following
            self.post_message(self.FollowChanged())

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if self.match_line is not None and self.scroll_offset.y + y == self.match_line:
            strip = strip.apply_style(MATCH)
        return strip


def _runs(entries: Iterable[RenderableType | Line]) -> Iterable[RenderableType | list[Line]]:
    """The entries in order, consecutive batch lines gathered into one list (one write)."""
    run: list[Line] = []
    for entry in entries:
        if isinstance(entry, tuple):
            run.append(entry)
            continue
        if run:
            yield run
            run = []
        yield entry
    if run:
        yield run
