"""Pane 3: the selected worktree's migrations, each with its state in words."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Vertical
from textual.app import ComposeResult

from wttui.core.models import MigrationState, WorktreeView
from wttui.ui import format as fmt
from wttui.ui.widgets import KeyTable


class MigrationsPane(Vertical):
    """Version, name, state and who applied it; a failed one shows its error."""

    def __init__(self) -> None:
        super().__init__(id="migrations", classes="pane")
        self.border_title = "3 Migrations"

    def compose(self) -> ComposeResult:
        table = KeyTable(id="migration-table")
        table.add_columns("State", "Version", "Name", "Applied")
        yield table

    @property
    def table(self) -> KeyTable:
        return self.query_one("#migration-table", KeyTable)

    def show(self, view: WorktreeView | None) -> None:
        table = self.table
        keep = table.cursor_row
        table.clear()
        if view is None:
            self.border_subtitle = ""
            return
        for status in view.migrations:
            glyph, label = fmt.STATE_LABELS[status.state]
            applied = ""
            if status.applied_at is not None:
                applied = f"{fmt.age(status.applied_at)} ago"
                if status.applied_by:
                    applied += f" by {status.applied_by}"
            name = status.name
            if status.state is MigrationState.FAILED and status.error:
                name += f" — {status.error}"
            table.add_row(
                Text(f"{glyph} {label}", style=fmt.STATE_STYLES[status.state]),
                status.version,
                name,
                applied,
                key=status.version,
            )
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1), animate=False)
        summary = fmt.migrations_cell(view)
        self.border_subtitle = f"{view.worktree.label} {summary}".strip()
