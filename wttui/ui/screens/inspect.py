"""The Inspect view: a worktree's tables (estimated rows, size); Enter shows one table's columns,
indexes and foreign keys. The detail is read by the loader it is given, in its own worker, so
the screen never touches a database itself."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from wttui.core.housekeeping import TableDetail, TableRow
from wttui.errors import WttuiError
from wttui.present import size
from wttui.ui.widgets import KeyTable

DetailLoader = Callable[[str], TableDetail]


def detail_text(detail: TableDetail) -> Text:
    table = detail.table
    text = Text(f"{table.schema}.{table.name} ({table.kind})\n", style="bold")
    for column in detail.columns:
        null = "" if column.nullable else " not null"
        default = f" default {column.default}" if column.default else ""
        text.append(f"  {column.name}", style="bold")
        text.append(f"  {column.type}{null}{default}\n")
    text.append("indexes\n", style="bold")
    for name, definition in detail.indexes or (("none", ""),):
        text.append(f"  {name}  {definition}\n")
    text.append("foreign keys\n", style="bold")
    for name, definition in detail.foreign_keys or (("none", ""),):
        text.append(f"  {name}  {definition}\n")
    return text


class InspectScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "back", "Back"), Binding("q", "close", "Close", show=False)]

    def __init__(self, title: str, tables: Sequence[TableRow], loader: DetailLoader) -> None:
        super().__init__()
        self._title = title
        self._tables = tables
        self._loader = loader

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog inspect"):
            yield Static(Text(self._title), classes="dialog-title", id="inspect-title")
            table = KeyTable(id="inspect-tables")
            table.add_columns("Table", "Kind", "Rows (est.)", "Size")
            for row in self._tables:
                table.add_row(
                    f"{row.schema}.{row.name}",
                    row.kind,
                    "?" if row.rows is None else str(row.rows),
                    size(row.size_bytes),
                    key=row.name if row.schema == "public" else f"{row.schema}.{row.name}",
                )
            yield table
            with VerticalScroll(id="inspect-detail", classes="dialog-scroll"):
                yield Static("enter: columns, indexes, foreign keys · esc: back", id="detail")

    def on_mount(self) -> None:
        self.query_one("#inspect-detail").display = False
        self.query_one(KeyTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        name = event.row_key.value or ""
        self.query_one("#detail", Static).update(f"reading {name}…")
        # The title says what is shown now: one table, not the list.
        title = f"{self._title} › {name} (esc: back to the tables)"
        self.query_one("#inspect-title", Static).update(Text(title))
        self.query_one("#inspect-detail").display = True
        self.query_one(KeyTable).display = False
        self._load(name)

    @work(thread=True, exclusive=True, group="inspect", exit_on_error=False)
    def _load(self, name: str) -> None:
        try:
            shown: Text = detail_text(self._loader(name))
        except WttuiError as exc:
            shown = Text(f"✗ {exc.message}", style="red")
        self.app.call_from_thread(self.query_one("#detail", Static).update, shown)

    def action_back(self) -> None:
        if self.query_one("#inspect-detail").display:
            self.query_one("#inspect-detail").display = False
            self.query_one("#inspect-title", Static).update(Text(self._title))
            self.query_one(KeyTable).display = True
            self.query_one(KeyTable).focus()
        else:
            self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
