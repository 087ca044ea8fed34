"""Small reusable widgets."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import Checkbox, DataTable

from wttui.ui.commands import bindings


class KeyTable(DataTable[str | Text]):
    """A row-cursor table that also moves with j/k and jumps with g/G.

    One click selects a row; a double click (or enter) posts `RowSelected`, which the panes
    take as "drill in". DataTable alone would also post it for one click on the current row.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("table")

    DEFAULT_CSS = """
    KeyTable {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str) -> None:  # noqa: A002 - Textual's own parameter name
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._single_click = False

    async def _on_click(self, event: events.Click) -> None:
        self._single_click = event.chain < 2
        try:
            await super()._on_click(event)
        finally:
            self._single_click = False
        event.prevent_default()  # DataTable's handler has run (above): not a second time

    def _post_selected_message(self) -> None:
        if not self._single_click:
            super()._post_selected_message()  # type: ignore[no-untyped-call]


class TickBox(Checkbox):
    """A checkbox whose state is in its text, `[x]` or `[ ]`, not in its colour alone.

    Textual's own checkbox draws `▐X▌` either way and tells ticked from unticked by colour, which
    is lost under `NO_COLOR` and on 16-colour terminals.
    """

    TICKED = "x"

    DEFAULT_CSS = """
    TickBox {
        border: none;
        padding: 0 1 0 0;
        height: 1;
        background: transparent;
        &:focus {
            border: none;
            background-tint: transparent;
        }
    }
    """

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        inner = self.TICKED if self.value else " "
        return Content.assemble("[", (inner, style), "]")
