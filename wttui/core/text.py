"""Names cut to fit a width (the app's lists, `wttui status` on a terminal): the middle goes,
both ends and a ticket number stay."""

from __future__ import annotations

import re

from rich.cells import cell_len, set_cell_size

TICKET = re.compile(r"[A-Za-z][A-Za-z0-9]*-\d+|\d+")
"""A ticket reference in a branch name (`PROJ-1234`, `1234`): kept when a name is cut."""
MIN_TAIL = 3


def middle_truncate(text: str, width: int) -> str:
    """`text` in at most `width` cells, its middle replaced by `…`.

    Branch names share prefixes (`feature/`) and differ at the end, so both ends are kept; a
    ticket number is kept whole when it fits, so `feature/PROJ-1234-add-stripe-webhook-retry`
    becomes `feature/PROJ-1234…hook-retry` (or `…PROJ-1234…retry`) rather than
    `feature/PROJ-…hook-retry`.
    """
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    keep = width - 1
    head = (keep + 1) // 2
    ticket = TICKET.search(text)
    if ticket is not None:
        end = cell_len(text[: ticket.end()])
        if end + MIN_TAIL <= keep:
            head = max(head, end)
        elif end <= keep:
            head = keep  # the ticket fits, with no room left for the end of the name
        elif (room := width - 2 - cell_len(ticket.group())) >= 0:
            # Not even the prefix fits with it: the ticket alone between two cuts.
            return "…" + ticket.group() + "…" + _last_cells(text, room)
    return set_cell_size(text, head) + "…" + _last_cells(text, keep - head)


def start_truncate(text: str, width: int) -> str:
    """`text` in at most `width` cells, its start replaced by `…` (a path, or a name whose
    start every row shares)."""
    if cell_len(text) <= width:
        return text
    return "…" + _last_cells(text, width - 1) if width > 0 else ""


def _last_cells(text: str, cells: int) -> str:
    return set_cell_size(text[::-1], cells)[::-1] if cells > 0 else ""
