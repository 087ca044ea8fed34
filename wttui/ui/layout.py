"""The main screen's layout: which panes show, side by side or one at a time, and zoom.

DESIGN §4's breakpoints are Textual breakpoints (classes on the screen, geometry in
`styles/app.tcss`); which pane is on screen when they cannot all be (tabs at 60–79 columns, one
pane below 60, a zoomed pane) is decided here, from the width and the focus: focusing a pane by
any means (a key, a click, the app drilling in) brings it on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from wttui.ui.commands import bindings
from wttui.ui.growing import Growing
from wttui.ui.panes.database import DatabasePane
from wttui.ui.panes.log import LogPane
from wttui.ui.panes.migrations import MigrationsPane
from wttui.ui.panes.worktrees import WorktreesPane

if TYPE_CHECKING:
    from wttui.core.models import RepoSnapshot

WIDE, SPLIT, STACKED, SINGLE = "-wide", "-split", "-stacked", "-single"
HORIZONTAL_BREAKPOINTS = [(0, SINGLE), (60, STACKED), (80, SPLIT), (120, WIDE)]
"""≥120 three columns + log; 80–119 worktrees left, database over migrations right, log below;
60–79 stacked, database and migrations as tabs; <60 one pane at a time."""
SHORT_BELOW = 20
VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT_BELOW, "-medium"), (30, "-tall")]
"""Fewer than 20 rows: the log is one line; fewer than 30: dialogs have one-line buttons."""
NAMES = {1: "Worktrees", 2: "Database", 3: "Migrations", 4: "Log"}


def mode_for(width: int) -> str:
    """The layout at `width` columns (one of WIDE, SPLIT, STACKED, SINGLE)."""
    return _at(width, HORIZONTAL_BREAKPOINTS)


def worktrees_width(width: int, wanted: int | None) -> int | None:
    """The Worktrees pane's width beside the Database and Migrations panes (80–119 columns):
    what its rows need (`wanted`, border included), at most half the terminal — 48 columns
    where half is less, so 80×24 keeps a list that reads in words — and the Migrations pane
    beside it gets the rest, for names and `applied` ages uncut. None: the stylesheet's share
    (before the first rows, or in another layout)."""
    if wanted is None or mode_for(width) != SPLIT:
        return None
    return min(wanted, max(width // 2, min(SPLIT_WORKTREES_AT_LEAST, width * 3 // 5)))


SPLIT_WORKTREES_AT_LEAST = 48
"""The Worktrees pane's cap at 80–95 columns: the 3:2 share 80×24 has always had."""

DATABASE_AT_LEAST = 4
"""The Database pane's rows at 80–119 columns at least: two lines and its border."""

Want = tuple[int, int]
"""A pane's widths, border included: the least at which it reads whole in its tightest form,
and the full one at which everything in it is whole."""


def wide_widths(width: int, wants: Sequence[Want | None]) -> list[int] | None:
    """The widths of the Worktrees, Database and Migrations panes side by side (≥120 columns),
    from what each wants (`Want`). The least: worktree names whole with their states as
    glyphs (`✓3 ⋯1`), migration names and ages whole, the database's lines unwrapped but
    for the URL. The full: states in words, who applied each migration and its version,
    every database line whole.

    1. Each pane gets its least, or its share of the stylesheet's 3:2:3 if that is less.
    2. The columns left take the panes to their least (the side panes' at most a third of
       the width): the worktrees first, then the migrations, then the database (whose lines
       still read, wrapped under their label) — unless the worktrees cannot be whole anyway
       (a very long branch name), then them last: a name is cut in the middle either way,
       the others stay whole.
    3. Then towards their full width, in the same first order; any rest goes to the
       Migrations pane, whose detail line names the file.

    None before every pane is measured: the stylesheet's shares.
    """
    if any(want is None for want in wants):
        return None
    least = [want[0] for want in wants if want is not None]
    full = [max(want) for want in wants if want is not None]
    shares = [width * 3 // 8, width * 2 // 8, width * 3 // 8]
    widths = [min(want, share) for want, share in zip(least, shares, strict=True)]
    whole = least[0] + widths[1] + widths[2] <= width
    left = width - sum(widths)
    wanted = [least[0], *(min(want, width // 3) for want in least[1:])]
    for target, order in ((wanted, (0, 2, 1) if whole else (2, 1, 0)), (full, (0, 2, 1))):
        for index in order:
            more = max(0, min(left, target[index] - widths[index]))
            widths[index] += more
            left -= more
    widths[2] += left
    return widths


def _larger(one: Want | None, other: Want | None) -> Want | None:
    if one is None or other is None:
        return one or other
    return max(one[0], other[0]), max(one[1], other[1])


def _at(size: int, breakpoints: list[tuple[int, str]]) -> str:
    return [name for least, name in breakpoints if size >= least][-1]


def screen_classes(width: int, height: int) -> dict[str, bool]:
    """Every breakpoint class, on or off, for a `width`×`height` terminal: what Textual sets on
    the screen's first resize, which can come after the first frame (that frame would show
    the wide layout on a narrow terminal, then jump)."""
    on = {_at(width, HORIZONTAL_BREAKPOINTS), _at(height, VERTICAL_BREAKPOINTS)}
    return {name: name in on for _, name in (*HORIZONTAL_BREAKPOINTS, *VERTICAL_BREAKPOINTS)}


class PaneTabs(Widget):
    """One line naming the panes that take turns; the one shown is in brackets. Clickable."""

    DEFAULT_CSS = """
    PaneTabs {
        height: 1;
        padding: 0 1;
        display: none;
    }
    """

    current: reactive[int] = reactive(0)

    def __init__(self, numbers: tuple[int, ...], *, id: str) -> None:  # noqa: A002
        super().__init__(id=id)
        self.numbers = numbers

    def render(self) -> Content:
        parts = []
        for number in self.numbers:
            label = f"{number} {NAMES[number]}"
            if number == self.current:
                parts.append(Content.styled(f"[{label}]", "bold"))
            else:
                parts.append(Content(f" {label} "))
        return Content(" ").join(parts)

    def on_click(self, event: events.Click) -> None:
        # Which label was clicked, from the x offset of the click in the rendered line.
        x = event.x - 1
        for number in self.numbers:
            width = len(f" {number} {NAMES[number]} ") + 1
            if x < width:
                self.app.call_later(self.app.run_action, f"focus_pane({number})")
                return
            x -= width


class Panes(Vertical):
    """The four panes, arranged for the terminal's size; `1`–`4` focus, again zooms."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("panes")

    def __init__(self) -> None:
        super().__init__(id="panes")
        self.current = 1
        """The pane with the focus, or last shown (one at a time, and the tabs, follow it)."""
        self.side_tab = 3
        """Database (2) or Migrations (3) at 60–79 columns: migrations first, they are why
        the app exists."""
        self.zoomed: Widget | None = None
        self._side_wants: tuple[Want | None, Want | None] = (None, None)
        """What the Database and Migrations panes want (`wide_widths`), over every worktree."""
        self._side_growing: Growing[tuple[Want | None, Want | None]] = Growing(
            lambda now, before: (_larger(now[0], before[0]), _larger(now[1], before[1]))
        )

    def compose(self) -> ComposeResult:
        # The tabs are mounted when a narrow terminal first needs them (`_tabs`).
        with Horizontal(id="top"):
            yield WorktreesPane()
            with Vertical(id="side"):
                yield DatabasePane()
                yield MigrationsPane()
        yield LogPane()

    @property
    def panes(self) -> list[Widget]:
        return [
            self.query_one(WorktreesPane),
            self.query_one(DatabasePane),
            self.query_one(MigrationsPane),
            self.query_one(LogPane),
        ]

    def target(self, number: int) -> Widget:
        """What takes the focus for pane `number`: its list, or the pane itself."""
        pane = self.panes[number - 1]
        if isinstance(pane, WorktreesPane | MigrationsPane):
            return pane.table
        if isinstance(pane, LogPane):
            return pane.view
        return pane

    @property
    def mode(self) -> str:
        return mode_for(self.screen.size.width)

    def on_resize(self) -> None:
        self.arrange_panes()

    def on_worktrees_pane_measured(self, event: WorktreesPane.Measured) -> None:
        event.stop()
        self.arrange_panes()

    def measure(self, snapshot: RepoSnapshot) -> None:
        """Measure the Database and Migrations panes' lines over every worktree of `snapshot`
        (not the selected one's: the panes would move at each `j`). For the same worktrees
        the widths only grow, as the Worktrees pane's do (`growing.py`)."""
        from wttui.ui.panes import database, migration_columns

        views = snapshot.views
        wants = self._side_growing.measure(
            views, (database.wanted_width(views), migration_columns.wanted_width(views))
        )
        if wants != self._side_wants:
            self._side_wants = wants
            self.arrange_panes()

    def on_migrations_pane_measured(self, event: MigrationsPane.Measured) -> None:
        event.stop()
        self.arrange_panes()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        number = self._number_of(event.widget)
        if number is None:
            return
        self.current = number
        if number in (2, 3):
            self.side_tab = number
        if self.zoomed is not None and self.zoomed is not self.panes[number - 1]:
            self.zoomed = self.panes[number - 1]  # zoom stays on, on the pane now in use
        self.arrange_panes()

    def _number_of(self, widget: Widget) -> int | None:
        for number, pane in enumerate(self.panes, 1):
            if widget is pane or pane in widget.ancestors:
                return number
        return None

    # -- what the keys do ------------------------------------------------------------------

    def focus_pane(self, number: int) -> None:
        """Focus pane `number` (bringing it on screen); when it has the focus already, zoom."""
        pane = self.panes[number - 1]
        target = self.target(number)
        if target.has_focus or self.zoomed is pane:
            self.zoom(None if self.zoomed is pane else pane)
        target.focus()

    def zoom(self, pane: Widget | None) -> None:
        """Let `pane` fill the screen (all but the footer); None: back to the layout."""
        self.zoomed = pane
        self.arrange_panes()

    def back_out(self) -> None:
        """esc: unzoom, else close the filter, else back to the worktree list."""
        if self.zoomed is not None:
            self.zoom(None)
            return
        worktrees = self.query_one(WorktreesPane)
        if not worktrees.close_filter():
            worktrees.table.focus()

    def action_next_pane(self) -> None:
        self._cycle(1)

    def action_previous_pane(self) -> None:
        self._cycle(-1)

    def _cycle(self, delta: int) -> None:
        focused = self.app.focused
        number = self._number_of(focused) if focused is not None else None
        self.target(((number or self.current) - 1 + delta) % 4 + 1).focus()

    # -- arranging -------------------------------------------------------------------------

    def arrange_panes(self) -> None:
        """Show the panes the size and the state call for (geometry is in the stylesheet)."""
        mode = self.mode
        shown = self._shown(mode)
        worktrees, database, migrations, log = self.panes
        top, side = self.query_one("#top"), self.query_one("#side")
        for pane in self.panes:
            pane.display = pane in shown
            pane.set_class(pane is self.zoomed, "zoomed")
        top.display = bool(shown & {worktrees, database, migrations})
        side.display = bool(shown & {database, migrations})
        one_line = self.zoomed is None and (
            self.screen.size.height < SHORT_BELOW or (mode == SINGLE and self.current != 4)
        )
        log.set_class(one_line, "-line")
        pane = self.query_one(WorktreesPane)
        split = worktrees_width(self.screen.size.width, pane.wanted_width)
        wide = None
        if mode == WIDE and self.zoomed is None:
            first: Want | None = None
            if pane.wanted_width is not None and pane.least_width is not None:
                first = (pane.least_width, pane.wanted_width)
            wide = wide_widths(self.screen.size.width, (first, *self._side_wants))
        # Inline, so they beat the stylesheet's shares; cleared (None) in the other layouts
        # (the Migrations pane takes what the other two leave).
        worktrees.styles.width = wide[0] if wide else split if self.zoomed is None else None
        database.styles.width = wide[1] if wide else None
        database.styles.max_height = self._database_rows(mode)
        unzoomed = self.zoomed is None
        pane_tabs = self._tabs(self, "pane-tabs", (1, 2, 3, 4), mode == SINGLE and unzoomed)
        if pane_tabs is not None:
            pane_tabs.current = self.current
        side_tabs = self._tabs(side, "side-tabs", (2, 3), mode == STACKED and unzoomed)
        if side_tabs is not None:
            side_tabs.current = self.side_tab

    def _database_rows(self, mode: str) -> int | None:
        """80–119 columns: the Database pane's rows at most, above the Migrations pane — what
        the migrations leave with their rows whole (the database's lines beyond scroll), yet
        a third of the column at least (a long list scrolls instead). None: the stylesheet's
        half (before the first migrations, in other layouts)."""
        wanted = self.query_one(MigrationsPane).wanted_height
        side = self.query_one("#side").size.height
        if mode != SPLIT or self.zoomed is not None or wanted is None or not side:
            return None
        return max(side // 3, DATABASE_AT_LEAST, side - wanted)

    @staticmethod
    def _tabs(
        parent: Widget, tabs_id: str, numbers: tuple[int, ...], shown: bool
    ) -> PaneTabs | None:
        """`parent`'s tabs, shown or hidden; mounted (as its first child) the first time they
        are shown, so a wide terminal's first frame has none to style (P1)."""
        tabs = next(parent.query_children(PaneTabs).results(PaneTabs), None)
        if tabs is None and shown:
            tabs = PaneTabs(numbers, id=tabs_id)
            parent.mount(tabs, before=0)
        if tabs is not None:
            tabs.display = shown
        return tabs

    def _shown(self, mode: str) -> set[Widget]:
        worktrees, database, migrations, log = self.panes
        if self.zoomed is not None:
            return {self.zoomed}
        if mode == SINGLE:
            return {self.panes[self.current - 1], log}
        if mode == STACKED:
            return {worktrees, database if self.side_tab == 2 else migrations, log}
        return {worktrees, database, migrations, log}
