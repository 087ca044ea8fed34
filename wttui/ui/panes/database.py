"""Pane 2: the selected worktree's database: where it is, its size, its .env, who shares it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from wttui.core.urls import mask_url
from wttui.ui import format as fmt
from wttui.ui.commands import bindings

if TYPE_CHECKING:  # the models arrive with the first data, after the first frame (P1)
    from wttui.core.models import WorktreeView

_STRATEGIES = {
    "database": "own database",
    "schema": "own schema in a shared database",
    "shared": "SHARED database (never dropped or reset from here)",
    "container": "own Docker container",
    "none": "none (no database)",
}


LABEL = 10
"""Width of the label column."""
GUTTER = 4
"""The pane's border and padding, in columns."""
FOLDS = ("url", "error")
"""Lines that may fold where the pane is narrow (the URL, a message); the others (names,
sizes, states) are sized for (`wanted_width`)."""


class DatabasePane(VerticalScroll):
    """Key/value lines for one worktree's database (passwords always masked). Where the pane
    is shorter than its rows (80x24) it scrolls, with a scrollbar saying so (`j`/`k`)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("database")

    DEFAULT_CSS = """
    DatabasePane {
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    DatabasePane > Static {
        height: auto;
    }
    """

    def __init__(self) -> None:
        super().__init__(id="database", classes="pane")
        self.border_title = "2 Database"
        self._view: WorktreeView | None = None
        self._project_bytes: int | None = None
        self._shown = False
        self._text = "loading…"
        """A worktree (or none) was shown: until then the pane says it is loading."""
        self._width = 0
        """The width the details were laid out for."""

    def compose(self) -> ComposeResult:
        yield Static("loading…", id="database-text")

    @property
    def text(self) -> str:
        """What the pane says (all of it, on screen or scrolled off), one line a row."""
        return self._text

    def update(self, content: str | Table) -> None:
        if isinstance(content, str):
            self._text = content
        self.query_one("#database-text", Static).update(content)

    def on_resize(self) -> None:
        # The short or long form depends on the width; the height follows the details (each
        # selection resizes the pane), and laying them out again for it is wasted work.
        if self._shown and self.size.width != self._width:
            self.show(self._view, self._project_bytes)

    def show_total(self, project_bytes: int) -> None:
        """A new project total (a database made or dropped elsewhere), same worktree."""
        if self._shown and project_bytes != self._project_bytes:
            self.show(self._view, project_bytes)

    def show(self, view: WorktreeView | None, project_bytes: int | None = None) -> None:
        """`view`'s database; `project_bytes` is every live worktree's disk use, for the total."""
        self._shown = True
        self._view = view
        self._project_bytes = project_bytes
        self._width = self.size.width
        if view is None:
            self.update("no worktree selected")
            return
        rows = detail_rows(view, self.size.width)
        # Every worktree's disk use, in the border (a line of its own was the longest at 120).
        self.border_subtitle = f"project {fmt.size(project_bytes)} on disk" if project_bytes else ""
        self._text = "\n".join(f"{label:<{LABEL}}{value}" for label, value, _ in rows)
        # A grid: values wrap under themselves (a long URL folds) at whatever width the pane
        # has when drawn, the scrollbar's column included.
        grid = Table.grid()
        grid.add_column(width=LABEL, no_wrap=True, style="bold")
        grid.add_column(ratio=1, overflow="fold")
        for label, value, style in rows:
            grid.add_row(label, Text(value, style=style))
        self.update(grid)


def detail_rows(view: WorktreeView, width: int) -> list[tuple[str, str, str]]:
    """The pane's (label, value, style) lines for `view` in a pane `width` columns wide:
    narrow panes get the short form (no server line below 60 columns, no URL below 24)."""
    rows: list[tuple[str, str, str]] = []

    def row(label: str, value: str, style: str = "") -> None:
        rows.append((label, value, style))

    target = view.target
    database = view.database
    if target is None:
        row("database", "unknown (server unreachable)", "yellow")
    else:
        name = "no database" if target.none else target.name if target.container else target.label
        row("database", name)
        row("strategy", _STRATEGIES.get(target.strategy, target.strategy))
    if target is not None and target.container:
        running = (database.state if database else None) or "not created"
        row("container", f"{target.container} ({running}; s start/stop, L logs)")
    from wttui.core.models import DbStatus

    state = {
        DbStatus.PRESENT: ("exists", "green"),
        DbStatus.MISSING: ("missing — c provisions it", "yellow"),
        DbStatus.UNREACHABLE: ("unknown — server unreachable", "red"),
        DbStatus.STOPPED: ("container stopped — s starts it", "yellow"),
        DbStatus.NONE: ("none, on purpose", ""),
    }[view.db_status]
    row("status", state[0], state[1])
    if target is not None and target.port_note:
        row("port", target.port_note, "yellow")
    if database is not None and database.size_bytes is not None:
        sessions = database.connections
        plural = "" if sessions == 1 else "s"
        row("size", f"{fmt.size(database.size_bytes)}, {sessions} session{plural}")
    # What it takes on disk is its size, or its volume's (below); the project's total is in
    # the pane's border.
    if database is not None and database.volume:
        used = f", {fmt.size(database.volume_bytes)}" if database.volume_bytes else ""
        row("volume", f"{database.volume}{used}")
    if view.env is not None and target is not None and target.none:
        row("env", f"{view.env.path.name} not managed")
    elif view.env is not None and not view.env.known:
        row("env", f"{view.env.path.name} unknown (unreachable)", "yellow")
    elif view.env is not None:
        if not view.env.exists:
            env = f"{view.env.path.name} missing"
        elif view.env.matches:
            env = f"{view.env.path.name} up to date"
        else:
            current = view.env.database_url
            env = f"{view.env.path.name} differs: {mask_url(current) if current else 'unset'}"
        row("env", env, "" if view.env.matches else "yellow")
    if view.shared_with:
        row("shared", "with " + ", ".join(view.shared_with) + " (never dropped)", "cyan")
    if target is not None and width >= 60 and not target.container and not target.none:
        row("server", target.server)
    if target is not None and width >= 24 and not target.none:
        row("url", target.masked_url)
    for error in view.errors:
        row("error", error, "red")
    return rows


def wanted_width(views: Iterable[WorktreeView]) -> tuple[int, int] | None:
    """The pane's width (border included) with every worktree's lines unwrapped but for the
    URL and messages (`FOLDS`, or a line holding a URL), and with every line whole; None for
    no worktree."""
    least = full = 0
    for view in views:
        for label, value, _ in detail_rows(view, WIDE_FORM):
            width = LABEL + cell_len(value) + GUTTER
            full = max(full, width)
            if label not in FOLDS and "://" not in value:
                least = max(least, width)
    return (least, full) if full else None


WIDE_FORM = 59
"""The width the lines are measured at: the short form's (no server line, which a pane wide
enough to show it has room for anyway)."""
