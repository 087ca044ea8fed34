"""The confirmation dialog for one destructive plan: what it will touch, then the question.

Two tiers (DESIGN §4): a y/n with the focus on No (the confirm key is never the key that
opened it), or, when the plan names a database to type (drops, anything on a shared
database), an input that must hold exactly that name before the button enables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Static

from wttui.core.plans import Confirmation


def plan_text(lines: Sequence[str]) -> Text:
    """Plan lines as plain text (never markup: names and paths may hold `[`)."""
    return Text("\n".join(lines))


class ConfirmScreen(ModalScreen[bool]):
    """Returns True when confirmed."""

    BINDINGS = [
        Binding("escape", "answer(False)", "Cancel"),
        Binding("n", "answer(False)", "No", show=False),
        Binding("y", "yes", "Yes", show=False),
    ]

    def __init__(self, title: str, lines: Sequence[str], confirmation: Confirmation) -> None:
        super().__init__()
        self.action_title = title
        """What a quit question calls the action this dialog confirms: a quit key while it
        is open asks first (`quitting.py`)."""
        self._lines = lines
        self.confirmation = confirmation

    def compose(self) -> ComposeResult:
        confirmation = self.confirmation
        with Vertical(classes="dialog"):
            yield Static(Text(self.action_title), classes="dialog-title")
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(plan_text(self._lines), classes="dialog-body")
                yield Static(Text(confirmation.question), id="question")
            if confirmation.typed is not None:
                prompt = Text.assemble("Type ", (confirmation.typed, "bold"), " to confirm:")
                yield Static(prompt, id="prompt")
                yield Input(id="typed", placeholder=confirmation.typed)
            with Horizontal(classes="buttons"):
                yes = "" if confirmation.typed is not None else " (y)"
                yield Button(
                    f"{confirmation.yes}{yes}",
                    id="yes",
                    variant="error",
                    disabled=confirmation.typed is not None,
                )
                yield Button("No (esc)", id="no", variant="primary")

    def on_mount(self) -> None:
        self._focus_answer()
        # Again once the dialog is drawn: a screen that becomes active can move the focus to
        # its first focusable widget after `on_mount`, and the first key typed must land here.
        self.call_after_refresh(self._focus_answer)

    def _focus_answer(self) -> None:
        """The focus on what answers: the field for the typed name, else No."""
        if not self.is_attached:
            return  # answered before it was drawn
        wanted = "#typed" if self.confirmation.typed is not None else "#no"
        widget = self.query_one(wanted)
        if not widget.has_focus:
            widget.focus()

    def action_yes(self) -> None:
        """`y` answers a y/n question; a typed confirmation needs the name, never a key."""
        if self.confirmation.typed is None:
            self.dismiss(True)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#yes", Button).disabled = event.value != self.confirmation.typed

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value == self.confirmation.typed:
            self.dismiss(True)
        else:
            not_typed(self, self.confirmation.typed)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


def not_typed(screen: Screen[Any], name: str | None) -> None:
    """Enter on a partial or mistyped name: say why nothing happens, rather than nothing."""
    if name is not None:
        screen.notify(f"Type {name} exactly to confirm (esc to cancel)", severity="warning")
