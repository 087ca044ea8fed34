"""Pane 1: every worktree with its database and migration summary."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input

from wttui.ui import format as fmt
from wttui.ui.growing import Growing
from wttui.ui.messages import RunAction

if TYPE_CHECKING:  # the models arrive with the first data, the list after the first frame (P1)
    from textual.widgets import DataTable

    from wttui.core.models import RepoSnapshot, WorktreeView
    from wttui.ui.widgets import KeyTable

COLUMNS = ("Branch", "DB", "Migrations", "Age")
CELL_PADDING = 2  # DataTable pads each cell by one column on either side
SCROLLBAR = 2
MIN_BRANCH = 8
"""The branch column shrinks to this before anything else would have to give way."""

_NOTHING = object()


def _newest_commit(view: WorktreeView) -> float:
    moment = view.worktree.last_commit_at
    return -moment.timestamp() if moment is not None else float("inf")


def _largest(view: WorktreeView) -> int:
    size = view.database.size_bytes if view.database is not None else None
    return -(size or 0)


def _most_pending(view: WorktreeView) -> int:
    return -view.counts.pending


SORT_KEYS: dict[str, tuple[str, Callable[[WorktreeView], Any] | None]] = {
    "name": ("name", None),
    "commit": ("last commit", _newest_commit),
    "size": ("size", _largest),
    "pending": ("pending", _most_pending),
}
"""Sort orders offered in the palette: label, and the key applied after the name order."""


def sort_views(views: Iterable[WorktreeView], by: str = "name") -> list[WorktreeView]:
    """Main first, then by `by`; names in natural order (`w2` before `w10`) break ties."""
    from natsort import natsort_keygen, ns  # when rows first arrive, not before the first frame

    natural = natsort_keygen(alg=ns.IGNORECASE)
    ordered = sorted(views, key=lambda view: natural(view.worktree.label))
    key = SORT_KEYS[by][1]
    if key is not None:
        ordered.sort(key=key)  # stable: equal keys keep the name order
    ordered.sort(key=lambda view: not view.worktree.is_main)
    return ordered


class WorktreesPane(Vertical):
    """A table of worktrees; the selection survives refreshes (it is kept by path)."""

    DEFAULT_CSS = """
    WorktreesPane #filter {
        display: none;
        height: 3;
    }
    """

    class Selected(Message):
        """The highlighted worktree changed."""

        def __init__(self, view: WorktreeView | None) -> None:
            super().__init__()
            self.view = view

    class Measured(Message):
        """The width the rows need changed (the layout sizes the pane to them)."""

    def __init__(self) -> None:
        super().__init__(id="worktrees", classes="pane -first-frame")
        self.border_title = "1 Worktrees"
        self.border_subtitle = "loading…"
        self._views: dict[str, WorktreeView] = {}
        self._snapshot: RepoSnapshot | None = None
        self._shown_ages: tuple[str, ...] = ()
        """The ages shown (`40s`), to know when a refresh tick must redraw them."""
        self._filter = ""
        self.sort_key = "name"
        self._announced: WorktreeView | None | object = _NOTHING
        """The selection last posted up: a re-render (a resize, the same data again) posts
        nothing, so the other panes are not re-rendered for nothing (nor during teardown)."""
        self._follow: str | None = None
        """A worktree an action is making (its path): the cursor goes to it once listed."""
        self._growing: Growing[tuple[int, int]] = Growing(
            lambda now, before: (max(now[0], before[0]), max(now[1], before[1]))
        )
        """`wanted_width` and `least_width`, grown only while the same worktrees are listed."""
        self._running_on: tuple[str, str] | None = None
        """The worktree an action is running on (its path) and the mark its row carries."""
        self.wanted_width: int | None = None
        """The pane's width (border included) with every worktree's row whole and its states
        in words; None before the first rows."""
        self.least_width: int | None = None
        """The same with the states as glyphs (`✓3 ⋯1`): the narrowest the names are whole."""

    def compose(self) -> ComposeResult:
        # The list is mounted right after the first frame (`table`), the filter field when
        # first opened: a DataTable's styles cost the first frame more than its pane (P1).
        yield from ()

    @property
    def table(self) -> KeyTable:
        """The list (mounted on first use: the app asks for it after the first frame)."""
        from wttui.ui.widgets import KeyTable

        table = next(self.query("#worktree-table").results(KeyTable), None)
        if table is None:
            table = KeyTable(id="worktree-table")
            self.mount(table)
            self.remove_class("-first-frame")
        return table

    @property
    def selected(self) -> WorktreeView | None:
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._views.get(key or "")

    def on_resize(self) -> None:
        if self._snapshot is not None:
            self.show(self._snapshot)  # the branch column takes what the state columns leave

    def show(self, snapshot: RepoSnapshot) -> None:
        """Render `snapshot`, keeping the selected worktree and the scroll position."""
        self._snapshot = snapshot
        self._shown_ages = self._ages(snapshot)
        table = self.table
        keep = self.selected
        keep_row = table.cursor_row
        scroll = table.scroll_y
        views = [
            view
            for view in sort_views(snapshot.views, self.sort_key)
            if not self._filter or self._filter.lower() in view.worktree.label.lower()
        ]
        # The scrollbar takes room only when the rows overflow (header: one line). A list not
        # laid out yet (mounted after the first frame) has the pane's height.
        height = table.size.height or self.content_size.height
        scrollbar = SCROLLBAR if len(views) > height - 1 else 0
        available = self.content_size.width - scrollbar
        # The states say their words (`⋯1 pending`) where the names keep all their cells, so
        # the list reads without colour; else the glyphs alone (`?` help has the legend).
        for words in (True, False):
            state_cells = _state_cells(views, words)
            widths = _widths(views, state_cells, available)
            if not words or available <= 0 or widths[0] >= _natural(views):
                break
        marks = {str(view.worktree.path): self._mark(view) for view in views}
        mark = max(marks.values(), key=len, default="")
        widths = _room_for_mark(widths, available, _natural(views), mark)
        # Columns are rebuilt every time with widths from the rows shown now: auto widths would
        # keep the widest name any earlier snapshot had, even after that worktree is gone.
        table.clear(columns=True)
        for title, width in zip(COLUMNS, widths, strict=True):
            table.add_column(title, width=width)
        self._views = {}
        for view, cells in zip(views, state_cells, strict=True):
            key = str(view.worktree.path)
            self._views[key] = view
            branch = fmt.branch_cell(view, widths[0])
            texts = [Text(cell) for cell in cells]
            mark = marks[key]
            if mark:
                # What runs takes the migrations cell (stale while it runs anyway), cut to the
                # column: the row says `⟳ migrating` at any width, without widening the pane.
                texts[1] = Text(mark, overflow="ellipsis", no_wrap=True)
            table.add_row(Text(branch), *texts, key=key)
        if self._follow is not None and self._follow in self._views:
            # A worktree an action made (a create): selected once it is listed.
            table.move_cursor(row=table.get_row_index(self._follow), animate=False)
            self._follow = None
        elif keep is not None and str(keep.worktree.path) in self._views:
            table.move_cursor(row=table.get_row_index(str(keep.worktree.path)), animate=False)
        elif keep is not None and views:  # it went (a remove): its neighbour, not the top
            table.move_cursor(row=min(keep_row, len(views) - 1), animate=False)
        table.scroll_to(y=scroll, animate=False)
        self.border_subtitle = Content(self._subtitle(snapshot))
        self._measure(snapshot, height)
        self._announce()

    def _measure(self, snapshot: RepoSnapshot, height: int) -> None:
        """The widths every worktree's row needs whole: with its states in words
        (`wanted_width`) and as glyphs (`least_width`), a running action's mark (`⟳ migrating`)
        whole in the migrations cell. Of all the worktrees, not the filtered ones, so the pane
        keeps its width while a filter is typed."""
        views = list(snapshot.views)
        scrollbar = SCROLLBAR if len(views) > height - 1 else 0
        chrome = CELL_PADDING * len(COLUMNS) + scrollbar + self.styles.gutter.width
        mark = cell_len(self._running_on[1]) if self._running_on else 0

        def width(words: bool) -> int:
            columns = _widths(views, _state_cells(views, words), 0)  # each as wide as its text
            columns[2] = max(columns[2], mark)
            return sum(columns) + chrome

        wanted, least = self._growing.measure(views, (width(True), width(False)))
        if (wanted, least) != (self.wanted_width, self.least_width):
            self.wanted_width, self.least_width = wanted, least
            self.post_message(self.Measured())

    def retime(self) -> None:
        """Render again if a row's age would now read differently (a refresh tick)."""
        if self._snapshot is not None and self._ages(self._snapshot) != self._shown_ages:
            self.show(self._snapshot)

    @staticmethod
    def _ages(snapshot: RepoSnapshot) -> tuple[str, ...]:
        return tuple(fmt.age(view.worktree.last_commit_at) for view in snapshot.views)

    def _mark(self, view: WorktreeView) -> str:
        running = self._running_on
        return running[1] if running and running[0] == str(view.worktree.path) else ""

    def set_running(self, worktree: Path | None, mark: str = "") -> None:
        """Mark the row of `worktree` with `mark` (`⟳ migrating`, in its migrations cell) while
        an action runs on it; `None` takes the mark away."""
        running = (str(worktree), mark) if worktree is not None and mark else None
        if running is not None and running[0] not in self._views:
            self._follow = running[0]  # not listed yet: the action makes it
        if running != self._running_on:
            self._running_on = running
            if self._snapshot is not None:
                self.show(self._snapshot)

    def _announce(self) -> None:
        selected = self.selected
        if selected != self._announced:
            self._announced = selected
            self.post_message(self.Selected(selected))

    def _subtitle(self, snapshot: RepoSnapshot) -> str:
        if snapshot.server_error:
            return "⚠ server unreachable"
        parts = [f"{len(self._views)}/{len(snapshot.views)}" if self._filter else snapshot.project]
        if self.sort_key != "name":
            parts.append(f"by {SORT_KEYS[self.sort_key][0]}")
        return " · ".join(parts)

    def sort_by(self, key: str) -> None:
        """Order the list by `key` (one of `SORT_KEYS`); main stays first."""
        self.sort_key = key
        if self._snapshot is not None:
            self.show(self._snapshot)

    # -- the filter --------------------------------------------------------------------------

    @property
    def filter_box(self) -> Input | None:
        """The filter field, once it has been opened."""
        found = self.query("#filter").results(Input)
        return next(found, None)

    async def open_filter(self) -> None:
        """Show the filter field (mounted above the list the first time) and put the cursor
        in it — at once, so that the keys typed right after `/` (queued while it mounts, the
        app still starting) are the filter's, not commands."""
        box = self.filter_box
        if box is None:
            box = Input(placeholder="filter worktrees…", id="filter")
            await self.mount(box, before=self.table)
        box.display = True
        self.screen.set_focus(box)

    def close_filter(self) -> bool:
        """Clear and hide the filter; False when there was none to close."""
        box = self.filter_box
        if box is None or not box.display:
            return False
        box.value = ""
        box.display = False
        self.set_filter("")
        self.table.focus()
        return True

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
        self._announce()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(RunAction("drill"))


def _state_cells(views: list[WorktreeView], words: bool) -> list[tuple[str, str, str]]:
    """Each row's DB, Migrations and Age cells; the migrations in words (`⋯1 pending`) or
    glyphs (`⋯1`)."""
    return [
        (
            fmt.db_cell(view),
            fmt.migrations_cell(view, words=words),
            fmt.age(view.worktree.last_commit_at),
        )
        for view in views
    ]


def _widths(
    views: list[WorktreeView], state_cells: list[tuple[str, str, str]], available: int
) -> list[int]:
    """Column widths: the state columns as wide as their text, the branch gets the rest."""
    state = [
        max([cell_len(title)] + [cell_len(cells[i]) for cells in state_cells])
        for i, title in enumerate(COLUMNS[1:])
    ]
    natural = _natural(views)
    if available <= 0:
        return [natural, *state]  # not laid out yet: the next resize renders again
    room = available - CELL_PADDING * len(COLUMNS) - sum(state)
    return [max(min(natural, MIN_BRANCH), min(natural, room)), *state]


def _room_for_mark(widths: list[int], available: int, natural: int, mark: str) -> list[int]:
    """The Migrations column widened for a running mark (`⟳ restoring`) into the room the
    names leave (the pane is not widened for it): the mark is cut before a name is."""
    spare = available - CELL_PADDING * len(COLUMNS) - sum(widths[1:]) - natural
    wider = min(max(widths[2], cell_len(mark)), widths[2] + max(0, spare))
    return [widths[0], widths[1], wider, widths[3]]


def _natural(views: list[WorktreeView]) -> int:
    """The branch column's width with every name whole."""
    names = [fmt.branch_cell(view) for view in views]
    return max([cell_len(COLUMNS[0])] + [cell_len(name) for name in names])
