"""One small list dialog for the lifecycle views: the clone source picker, the snapshots and
the trash. It shows rows it is given (never reads anything itself) and returns the key pressed
with the highlighted row's id: the flow that opened it plans what follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


@dataclass(frozen=True)
class Choice:
    """What the user chose: `verb` (the row action) on the row `row_id`."""

    verb: str
    row_id: str


class PickScreen(ModalScreen[Choice | None]):
    """A titled table; `verbs` maps a key to (verb, label) shown under the table."""

    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(
        self,
        title: str,
        columns: Sequence[str],
        rows: Sequence[tuple[str, Sequence[str]]],
        verbs: dict[str, tuple[str, str]],
        empty: str,
    ) -> None:
        super().__init__()
        self._title = title
        self._columns = columns
        self._rows = rows
        self._verbs = verbs
        self._empty = empty

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog pick"):
            yield Static(Text(self._title), classes="dialog-title")
            if self._rows:
                yield DataTable(id="pick-table", cursor_type="row", zebra_stripes=True)
            else:
                yield Static(Text(self._empty), classes="dialog-body")
            hints = "  ".join(f"{key} {label}" for key, (_, label) in self._verbs.items())
            yield Static(Text(f"{hints}  esc close" if self._rows else "esc close"), id="pick-keys")

    def on_mount(self) -> None:
        if not self._rows:
            return
        table = self.query_one(DataTable)
        table.add_columns(*self._columns)
        for row_id, cells in self._rows:
            table.add_row(*(Text(cell) for cell in cells), key=row_id)
        table.focus()

    def _highlighted(self) -> str | None:
        if not self._rows:
            return None
        table = self.query_one(DataTable)
        if table.cursor_row < 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", "")
        if key in self._verbs and key != "enter":  # enter arrives as RowSelected
            row = self._highlighted()
            if row is not None:
                getattr(event, "stop", lambda: None)()
                self.dismiss(Choice(self._verbs[key][0], row))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if "enter" in self._verbs and event.row_key.value is not None:
            self.dismiss(Choice(self._verbs["enter"][0], str(event.row_key.value)))

    def action_close(self) -> None:
        self.dismiss(None)
