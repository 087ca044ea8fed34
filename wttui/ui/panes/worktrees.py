"""Pane 1: every worktree with its database and migration summary."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input

from wttui.core.models import RepoSnapshot, WorktreeView
from wttui.ui import format as fmt
from wttui.ui.messages import RunAction
from wttui.ui.widgets import KeyTable


class WorktreesPane(Vertical):
    """A table of worktrees; the selection survives refreshes (it is kept by path)."""

    class Selected(Message):
        """The highlighted worktree changed."""

        def __init__(self, view: WorktreeView | None) -> None:
            super().__init__()
            self.view = view

    def __init__(self) -> None:
        super().__init__(id="worktrees", classes="pane")
        self.border_title = "1 Worktrees"
        self._views: dict[str, WorktreeView] = {}
        self._snapshot: RepoSnapshot | None = None
        self._filter = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter worktrees…", id="filter")
        table = KeyTable(id="worktree-table")
        table.add_columns("Branch", "DB", "Migrations", "Age")
        yield table

    @property
    def table(self) -> KeyTable:
        return self.query_one("#worktree-table", KeyTable)

    @property
    def selected(self) -> WorktreeView | None:
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._views.get(key or "")

    def show(self, snapshot: RepoSnapshot) -> None:
        """Render `snapshot`, keeping the selected worktree and the scroll position."""
        self._snapshot = snapshot
        table = self.table
        keep = self.selected
        scroll = table.scroll_y
        table.clear()
        self._views = {}
        for view in snapshot.views:
            if self._filter and self._filter.lower() not in view.worktree.label.lower():
                continue
            key = str(view.worktree.path)
            self._views[key] = view
            table.add_row(
                fmt.branch_cell(view),
                fmt.db_cell(view),
                fmt.migrations_cell(view),
                fmt.age(view.worktree.last_commit_at),
                key=key,
            )
        if keep is not None and str(keep.worktree.path) in self._views:
            table.move_cursor(row=table.get_row_index(str(keep.worktree.path)), animate=False)
        table.scroll_to(y=scroll, animate=False)
        self.border_subtitle = (
            f"{len(self._views)}/{len(snapshot.views)}" if self._filter else snapshot.project
        )
        if snapshot.server_error:
            self.border_subtitle = "⚠ server unreachable"
        self.post_message(self.Selected(self.selected))

    def set_filter(self, text: str) -> None:
        self._filter = text
        if self._snapshot is not None:
            self.show(self._snapshot)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.set_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Selected(self.selected))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(RunAction("drill"))
