"""Pane 3: the selected worktree's migrations, each with its state in words."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from wttui.ui import format as fmt
from wttui.ui.panes import migration_columns as columns

if TYPE_CHECKING:  # the models arrive with the first data, the list after the first frame (P1)
    from textual.widgets import DataTable

    from wttui.core.models import MigrationStatus, WorktreeView
    from wttui.ui.widgets import KeyTable


class MigrationsPane(Vertical):
    """Version, name, state and who applied it; a failed one shows its error."""

    DEFAULT_CSS = """
    MigrationsPane > #migration-detail {
        height: auto;
        max-height: 3;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
        background: $boost;
    }
    """

    class Measured(Message):
        """The rows the pane needs changed (`wanted_height`: the layout sizes the Database
        pane above it by them)."""

    def __init__(self) -> None:
        super().__init__(id="migrations", classes="pane")
        self.wanted_height: int | None = None
        """The pane's rows (border included) with its list, notes and detail lines whole."""
        self._detail_rows = 0
        self.border_title = "3 Migrations"
        self._view: WorktreeView | None = None
        self._ages: tuple[str, ...] = ()
        """The relative times shown (`2s ago`), to know when they need redrawing."""
        self._drift: tuple[Path, list[str]] | None = None
        """The drift view (`D`) of one worktree, shown instead of its migrations."""
        self._fitted: tuple[int, bool, bool] = (0, False, False)
        """The width, roominess and overflow (a vertical scrollbar) the rows were laid out
        for: a resize changing none of them needs no new layout."""

    def compose(self) -> ComposeResult:
        # The list, with the notes above it and the detail below, comes right after the first
        # frame (`table`): the first frame has nothing to show in them (P1).
        yield from ()

    @property
    def table(self) -> KeyTable:
        """The list (mounted on first use: the app asks for it after the first frame)."""
        from wttui.ui.widgets import KeyTable

        table = next(self.query("#migration-table").results(KeyTable), None)
        if table is None:
            table = KeyTable(id="migration-table")
            self.mount(Static(id="migration-notes"), table, Static(id="migration-detail"))
        return table

    def on_resize(self) -> None:
        # Column widths follow the pane's width, the notes line its height. Before the first
        # snapshot there is nothing to lay out (and the first Resize can arrive before the
        # table is mounted). The pane's height changes with each selection (the Database pane
        # above is as tall as its worktree's details): that alone rebuilt the table a second
        # time for every key, while an action's log streamed too (P5).
        if self._view is not None and self._fit() != self._fitted:
            self.show(self._view)

    def _refit(self) -> None:
        """Lay the rows out again if the list's height now hides (or shows) its scrollbar:
        the list's height settles after the pane's (the notes and detail lines around it)."""
        if self._view is not None and self._fit() != self._fitted:
            self.show(self._view)

    def _fit(self) -> tuple[int, bool, bool]:
        return self.content_size.width, self.size.height >= ROOMY, self._overflows()

    def _overflows(self) -> bool:
        """The rows are more than the list shows (header: one line): a scrollbar is drawn.
        A list not laid out yet has the pane's height."""
        if self._view is None or self._drift is not None:
            return False
        table = self.table
        height = table.size.height or self.content_size.height
        return len(self._view.migrations) > height - 1

    @property
    def drift_shown(self) -> bool:
        return self._drift is not None

    def show_drift(self, worktree: Path, lines: list[str]) -> None:
        self._drift = (worktree, lines)
        self.show(self._view)

    def hide_drift(self) -> None:
        self._drift = None
        self.show(self._view)

    def _render_drift(self, view: WorktreeView, lines: list[str]) -> None:
        table = self.table
        table.clear(columns=True)
        width = max(20, self.content_size.width - columns.SCROLLBAR - columns.CELL_PADDING)
        table.add_column(Text(f"Drift of {view.worktree.label}"), width=width)
        for index, line in enumerate(lines):
            # A finding is a sentence: wrapped onto as many lines as it needs.
            table.add_row(Text(line), key=f"drift-{index}", height=None)
        self._show_detail(None)
        self.border_subtitle = "drift · D: back to migrations"

    def retime(self) -> None:
        """Render again if an `applied 2s ago` would now read differently (a refresh tick)."""
        if self._view is not None and self._drift is None and _ages(self._view) != self._ages:
            self.show(self._view)

    def show(self, view: WorktreeView | None) -> None:
        self._view = view
        self._fitted = self._fit()
        self._ages = _ages(view) if view is not None else ()
        if self._drift is not None:
            if view is not None and view.worktree.path == self._drift[0]:
                self._render_drift(view, self._drift[1])
                return
            self._drift = None  # another worktree was selected
        table = self.table
        keep = table.cursor_row
        rows = [columns.row_of(status) for status in view.migrations] if view else []
        # Columns are rebuilt with explicit widths that fit this worktree's rows and the pane:
        # auto widths would keep the widest rows any earlier selection had.
        table.clear(columns=True)
        # The scrollbar's columns are kept only when it shows: else `applied 2m ago · main`
        # was cut beside an empty strip.
        scrollbar = columns.SCROLLBAR if self._fitted[2] else 0
        layout = columns.layout(rows, self.content_size.width - scrollbar)
        for index, width in layout:
            table.add_column(columns.COLUMNS[index], width=width)
        self._show_notes(view)
        if view is None:
            self.border_subtitle = ""
            self._show_detail(None)
            return
        widths = dict(layout)
        for row, status in zip(rows, view.migrations, strict=True):
            cells = [row[index] for index, _ in layout]
            if 3 in widths:
                cells[-1] = columns.applied_in(row[3], widths[3])
            table.add_row(*cells, key=status.version)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1), animate=False)
        self._show_detail(self._highlighted())
        table.scroll_to(x=0, animate=False)
        self.call_after_refresh(self._refit)
        summary = fmt.migrations_cell(view)
        tool = f" · {view.tool}" if view.tool else ""
        self.border_subtitle = Content(f"{view.worktree.label} {summary}{tool}".strip())

    def _show_notes(self, view: WorktreeView | None) -> None:
        """One line above the migrations: what the counts alone would hide (a state table no
        tool reads, a tracking row deleted by hand, two tools found; `wttui status` prints them
        in full), else the file that decided the tool."""
        from wttui.core.models import DbStatus

        notes = self.query_one("#migration-notes", Static)
        shown = view is not None and self._drift is None
        none = bool(shown and view is not None and view.db_status is DbStatus.NONE)
        notes.set_class(none, "-wrap")  # a sentence to read whole, not cut
        if none:
            notes.display = True  # an empty table alone would read as "no migrations"
            notes.update(Text("No database (strategy none): migrations never run here"))
            return
        error = bool(shown and view is not None and view.errors)
        notes.set_class(error, "-error")  # wrapped onto a few lines: the message is the point
        if error and view is not None:
            # The ⚠ in the list says something is wrong; here is what (a read that failed).
            notes.display = True
            more = f" (+{len(view.errors) - 1} more)" if len(view.errors) > 1 else ""
            what = "migrations not read" if not view.migrations else "migrations"
            notes.update(Text(f"⚠ {what}: {view.errors[0]}{more}", style="red bold"))
            return
        warnings = view.migration_warnings if view is not None and shown else ()
        source = view.tool_source if view is not None and shown else None
        # The source is worth a line only where the pane has a few to spare (80x24 has not).
        roomy = self.size.height >= ROOMY
        notes.display = bool(warnings or (source and roomy))
        if not notes.display or view is None:
            return
        if warnings:
            first = warnings[0]
            more = f" (+{len(warnings) - 1} more)" if len(warnings) > 1 else ""
            text = Text(f"⚠ {first.short or first.message}{more}", style="bold")
        else:
            text = Text(f"{view.tool} · {source}", style="dim")
        notes.update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail(self._highlighted())

    def _highlighted(self) -> MigrationStatus | None:
        table = self.table
        if self._view is None or self._drift is not None or not self._view.migrations:
            return None
        if not table.row_count:
            return None
        return self._view.migrations[min(table.cursor_row, len(self._view.migrations) - 1)]

    def _show_detail(self, status: MigrationStatus | None) -> None:
        """Everything the narrow columns leave out, for the migration under the cursor."""
        from wttui.core.models import MigrationState

        detail = self.query_one("#migration-detail", Static)
        detail.display = status is not None
        self._detail_rows = 0
        if status is None:
            self._measure_height()
            return
        # At most three short lines: what it is, who applied it, what is wrong with it.
        name = fmt.migration_file(status)
        text = Text(name, style="bold")
        when = _when(status)
        problem = _problem(status, status.file.name if status.file else name)
        style = fmt.STATE_STYLES[status.state]
        if status.state is MigrationState.FAILED:
            # Nothing was applied: the time of the failed run goes after the name, and the last
            # line says how to get out of it.
            if when:
                text.append(f"  {when}")
            text.append(f"\n{problem or 'the run failed'}", style=style)
            text.append(f"\n{self._resolve_hint(status)}")
        else:
            if when:
                text.append(f"\n{when}")
            if problem:
                text.append(f"\n{problem}", style=style)
        if status.lint:
            text.append(f"\n{lint_line(status)}", style="yellow")
        detail.update(text)
        self._detail_rows = min(DETAIL_ROWS, len(text.plain.splitlines()))
        self._measure_height()

    def _measure_height(self) -> None:
        """`wanted_height` for what is shown now: border, notes, header, rows, detail."""
        notes = self.query_one("#migration-notes", Static)
        height = BORDER + 1 + self.table.row_count + self._detail_rows
        if notes.display:
            height += NOTES_ROWS if notes.has_class("-wrap") or notes.has_class("-error") else 1
        if height != self.wanted_height:
            self.wanted_height = height
            self.post_message(self.Measured())

    def _resolve_hint(self, status: MigrationStatus) -> str:
        """The way out of a failed migration, command first (the line is cut at the pane's
        width): `wttui resolve` marks it, or a fixed file is retried with `m`."""
        label = self._view.worktree.label if self._view is not None else "BRANCH"
        resolve = f"wttui resolve {label} {status.version}"
        if status.file is None:
            return f"{resolve} --rolled-back clears the mark (its file is gone)"
        return f"{resolve} --applied|--rolled-back marks it, or fix it and m retries"


def _ages(view: WorktreeView) -> tuple[str, ...]:
    return tuple(fmt.age(status.applied_at) for status in view.migrations if status.applied_at)


def _when(status: MigrationStatus) -> str:
    """`applied 2h ago by main`; a failed run says `failed`, a rolled-back one `rolled back`."""
    from wttui.core.models import MigrationState

    if status.applied_at is None:
        return ""
    verb = {
        MigrationState.FAILED: "failed",
        MigrationState.ROLLED_BACK: "rolled back",
    }.get(status.state, "applied")
    when = f"{verb} {fmt.age(status.applied_at)} ago"
    return f"{when} by {status.applied_by}" if status.applied_by else when


def _problem(status: MigrationStatus, name: str) -> str | None:
    from wttui.core.models import MigrationState

    elsewhere = "not in this folder; in " + (", ".join(status.found_in) or "no branch here")
    problem = {
        MigrationState.MODIFIED: "changed after it was applied (checksum differs)",
        MigrationState.APPLIED_ELSEWHERE: elsewhere,
    }.get(status.state, status.error)
    if status.out_of_order:
        problem = "older than the newest applied one: " + (status.note or "merged in late")
    if problem and problem.startswith(f"{name}:"):
        problem = "line " + problem.removeprefix(f"{name}:")  # the name is on line one
    return problem


def lint_line(status: MigrationStatus) -> str:
    """The first lock-safety finding of a migration still to run — the safer pattern first, as
    the line is cut at the pane's width — and how many more."""
    first = status.lint[0]
    more = f" +{len(status.lint) - 1} more (migrate --dry-run)" if len(status.lint) > 1 else ""
    return f"⚠ line {first.line}: {first.help or first.message} [{first.rule}]{more}"


ROOMY = 8
"""Pane rows from which the line naming the file that decided the tool is shown."""
BORDER = 2
DETAIL_ROWS = 3
"""The detail line's rows at most (its `max-height`)."""
NOTES_ROWS = 4
"""The notes' rows at most where they wrap (an error, `#migration-notes.-wrap`)."""
