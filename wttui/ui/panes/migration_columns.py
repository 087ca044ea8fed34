"""The Migrations pane's columns: which show, how wide, and what a cut cell says.

Pure functions of the rows and the width (no widgets), so the layout can measure what the pane
wants over every worktree (`wanted_width`) with the same rules the pane lays its rows out by.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from wttui.ui import format as fmt

if TYPE_CHECKING:
    from wttui.core.models import MigrationStatus, WorktreeView

COLUMNS = ("State", "Version", "Name", "Applied")
# When the pane is narrow the version drops out first (the line under the list names the
# file, version and all), then the applied column and the name shrink (to a minimum: the age
# stays, `2h ago…`), then the applied column drops out too: a name is never cut while a
# version is shown beside it, nor before who applied it is.
SHRINK = {"Applied": 8, "Name": 12}
DROP = ("Version", "Applied")
CELL_PADDING = 2  # DataTable pads each cell by one column on either side
SCROLLBAR = 2
BORDER = 2


def wanted_width(views: Iterable[WorktreeView]) -> tuple[int, int] | None:
    """The pane's width (border included) with every worktree's migration names and ages
    whole, and with every column whole (version, who applied); None with no migrations."""
    rows = [row_of(status) for view in views for status in view.migrations]
    if not rows:
        return None
    natural = [
        max([len(title)] + [len(row[i].plain) for row in rows]) for i, title in enumerate(COLUMNS)
    ]
    state, _, name, applied = natural
    least = state + name + min(applied, shrunk(rows)["Applied"]) + CELL_PADDING * 3
    return least + BORDER, sum(natural) + CELL_PADDING * len(COLUMNS) + BORDER


def shrunk(rows: Sequence[Sequence[Text]]) -> dict[str, int]:
    """`SHRINK`, the applied column's minimum down to its ages' (`2h ago`, the header whole)
    where they are shorter: `2h ago · main` gives way to its age (`applied_in`)."""
    ages = [len(row[3].plain.split(" · ", 1)[0]) for row in rows]
    applied = max([len(COLUMNS[3]), *ages])
    return SHRINK | {"Applied": min(SHRINK["Applied"], applied)}


def layout(rows: Sequence[Sequence[Text]], available: int) -> list[tuple[int, int]]:
    """The (column index, width) pairs that fit `available` cells (a scrollbar's taken off
    already), most useful columns kept.

    The version goes before anything is cut; after that, columns shrink (to a minimum) before
    the next one is dropped, and the columns left after a drop get their room back.
    """
    natural = {
        title: max([len(title)] + [len(row[i].plain) for row in rows])
        for i, title in enumerate(COLUMNS)
    }

    def excess(widths: dict[str, int]) -> int:
        return sum(widths.values()) + CELL_PADDING * len(widths) - available

    widths = dict(natural)
    if available > 0:
        tries = [(0, False)] + [(n, shrink) for n in range(1, len(DROP) + 1) for shrink in (0, 1)]
        for dropped, shrink in tries:
            widths = {t: w for t, w in natural.items() if t not in DROP[:dropped]}
            for title, minimum in shrunk(rows).items():
                if shrink and title in widths:
                    widths[title] -= max(0, min(excess(widths), widths[title] - minimum))
            if excess(widths) <= 0:
                break
    return [(COLUMNS.index(title), width) for title, width in widths.items()]


def applied_in(text: Text, width: int) -> Text:
    """`2m ago · feat/x` in `width` cells: cut (`2m ago · fea…`), or its age alone where less
    than a few cells of who applied it would show (the line under the list says who)."""
    age = text.plain.split(" · ", 1)[0]
    if len(text.plain) > width and len(age) <= width < len(age) + len(" · ") + 4:
        return Text(age, style=text.style, overflow="ellipsis", no_wrap=True)
    return text


def row_of(status: MigrationStatus) -> tuple[Text, Text, Text, Text]:
    from wttui.core.models import MigrationState

    glyph, label = fmt.STATE_LABELS[status.state]
    if status.out_of_order:
        label = "out of order"  # pending, but older than the newest applied one
    applied = ""
    if status.applied_at is not None:
        applied = f"{fmt.age(status.applied_at)} ago"
        if status.state is MigrationState.FAILED:
            applied = f"failed {applied}"  # not applied: the run broke off
        elif status.applied_by:
            applied += f" · {status.applied_by}"
    name = status.name
    return (
        Text(f"{glyph} {label}", style=fmt.STATE_STYLES[status.state]),
        Text(status.version),
        Text(name, overflow="ellipsis", no_wrap=True),
        Text(applied, overflow="ellipsis", no_wrap=True),
    )
