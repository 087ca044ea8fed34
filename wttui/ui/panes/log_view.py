"""The Log pane's lines: a RichLog that follows the end only while the user is at the bottom,
wraps its entries again for a new width, and marks the search match (`log.py` drives it).
Its own module: the pane is drawn in the first frame, the lines come after it (P1)."""

from __future__ import annotations

from collections import deque

from rich.console import RenderableType
from rich.style import Style
from textual.events import Resize
from textual.message import Message
from textual.strip import Strip
from textual.widgets import RichLog

MATCH = Style(reverse=True, bold=True)
"""A search match: reverse video reads without colour too."""


class LogView(RichLog):
    """The lines; `auto_scroll` (following) is on exactly when the view is at the bottom.

    RichLog wraps an entry once, at the width it has when written, and crops it after: so the
    scrollbar's gutter is always kept (the bar appearing does not narrow the text) and the
    entries are wrapped again when the view's width changes (zoom, a resized terminal)."""

    class FollowChanged(Message):
        """The user scrolled away from the bottom, or back to it."""

    class Rewrapped(Message):
        """The lines were wrapped again for a new width: line indexes changed."""

    def __init__(self, *, max_lines: int) -> None:
        # min_width 1: RichLog's default (78) renders wider than a narrow pane and crops.
        super().__init__(id="log-view", max_lines=max_lines, wrap=True, markup=False, min_width=1)
        self.match_line: int | None = None
        """The index in `lines` of the search match to mark, if any."""
        self._entries: deque[RenderableType] = deque(maxlen=max_lines)
        """What was written, to wrap again (each entry is a line at least: bounded)."""
        self._width = 0
        """The width the lines were wrapped at."""

    def add(self, content: RenderableType) -> None:
        """Write one entry and keep it for wrapping again."""
        self._entries.append(content)
        self.write(content)

    def on_resize(self, event: Resize) -> None:
        # RichLog's own handler runs too (Textual calls each class's): it writes what was
        # deferred until the first size was known.
        del event
        width = self.scrollable_content_region.width
        if self._size_known and self._entries and width != self._width:
            following = self.auto_scroll
            self.clear()
            for entry in self._entries:
                self.write(entry, scroll_end=False)
            if following:
                self.scroll_end(animate=False, immediate=True)
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
