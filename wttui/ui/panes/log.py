"""Pane 4: the running action's log, streamed, with a header and an exit footer per action."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import RichLog

MAX_LINES = 5000
"""Memory stays bounded however long an action talks."""


class LogPane(RichLog):
    """Appends lines; follows the end unless the user scrolled up (RichLog's auto-scroll)."""

    def __init__(self) -> None:
        super().__init__(id="log", classes="pane", max_lines=MAX_LINES, wrap=True, markup=False)
        self.border_title = "4 Log"

    def begin(self, title: str) -> None:
        self.write(Text(f"▶ {title}", style="bold"))

    def write_lines(self, lines: list[tuple[str, str]]) -> None:
        for stream, text in lines:
            if stream == "step":
                self.write(Text(f"==> {text}", style="bold"))
            elif stream == "err":
                self.write(Text(f"  ! {text}", style="red"))
            elif stream == "warn":
                self.write(Text(f"  ⚠ {text}", style="yellow"))
            else:
                self.write(Text(f"    {text}"))

    def finish(self, ok: bool, summary: str) -> None:
        mark = "✓" if ok else "✗"
        self.write(Text(f"{mark} {summary}", style="green bold" if ok else "red bold"))
        self.border_subtitle = f"{mark} {summary}"[:60]
