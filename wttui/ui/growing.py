"""Pane sizes that only grow while the same worktrees are listed.

A pane measured from its rows would move every pane beside it at each small change of a row's
words (a pending count that goes, a running mark that comes and goes, an age going from `59s`
to `1m`). So a measure is kept at its largest for as long as the same worktrees are listed;
another list (one added or removed) is measured afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from wttui.core.models import WorktreeView

T = TypeVar("T")


class Growing(Generic[T]):
    """The largest of the measures taken for the same worktrees (`larger` merges two)."""

    def __init__(self, larger: Callable[[T, T], T]) -> None:
        self._larger = larger
        self._listed: tuple[str, ...] = ()
        self._value: T | None = None

    def measure(self, views: Iterable[WorktreeView], value: T) -> T:
        """`value`, measured now over `views`, or the larger one kept for the same worktrees."""
        listed = tuple(str(view.worktree.path) for view in views)
        if listed == self._listed and self._value is not None:
            value = self._larger(value, self._value)
        self._listed, self._value = listed, value
        return value
