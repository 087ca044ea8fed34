"""A read-only report in a dialog (the Orphans and Doctor views): its lines, and one button for
what can be done about them (clean, fix), which the flow plans and confirms separately.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ReportScreen(ModalScreen[bool]):
    """Returns True when the action button (or its key) was chosen."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(
        self,
        title: str,
        lines: Sequence[Text | str],
        *,
        action: str | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._lines = lines
        self._action = action
        self._key = key
        if key:
            self._bindings.bind(key, "act", action or "", show=False)

    def compose(self) -> ComposeResult:
        body = Text()
        for index, line in enumerate(self._lines):
            body.append_text(line if isinstance(line, Text) else Text(line))
            if index < len(self._lines) - 1:
                body.append("\n")
        with Vertical(classes="dialog report"):
            yield Static(Text(self._title), classes="dialog-title")
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(body, classes="dialog-body", id="report-body")
            with Horizontal(classes="buttons"):
                if self._action:
                    label = f"{self._action} ({self._key})" if self._key else self._action
                    yield Button(label, id="act", variant="warning")
                yield Button("Close (esc)", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "act")

    def action_act(self) -> None:
        if self._action:
            self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)
