"""Keeping the panes current without ever blocking the UI, and doing nothing while idle.

Reads run one at a time in a thread worker; requests that arrive meanwhile are merged into the
next read, so refreshes never pile up. What triggers a read:
- a change a user made, reported by the file watcher (`providers/watcher.py`): worktrees added
  or removed, a HEAD or index moved, a migration folder or an env file changed — wttui's own
  git and database calls change none of these;
- an action that finished (only the worktree it touched is re-read);
- terminal focus coming back, `R`, and the first frame (full reads);
- a slow timer as a safety net (every 10 s while focused, every 30 s when not): it re-reads
  only what the server's statistics and git's listing say changed, and a full read every five
  minutes while focused (a full read of 50 worktrees costs most of a second of CPU: once a
  minute would alone break the idle budget of 1 % of a core).

A read that finds nothing changed returns the previous snapshot and nothing is redrawn.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from textual.app import App
from textual.timer import Timer

from wttui.errors import WttuiError
from wttui.providers.watcher import watch
from wttui.ui.messages import RefreshFailed, SnapshotLoaded, WatchedPathsChanged

if TYPE_CHECKING:
    from wttui.core.models import RepoSnapshot

PERIOD_SECONDS = 10.0
"""The safety-net timer while the terminal has focus (DESIGN §4: default 10 s, floor 2 s)."""
UNFOCUSED_SECONDS = 30.0
"""The timer while the terminal is elsewhere: nobody is looking."""
CATCH_UP_SECONDS = 1.0
"""After the watcher (re)starts, one re-read this much later covers the moment before it armed."""
RETIRE_SECONDS = 10.0
"""A replaced watcher runs on this long beside the new one (which may be slow to arm on a
loaded machine): a change in between is seen by one of them."""
FULL_EVERY = 30
"""Every this many timer ticks (while focused), a full read: the dirty marks of files edited
without git noticing (no HEAD, index or watched file moved) are caught within five minutes, and
at once when the terminal's focus comes back or on `R`."""


class ReadModel(Protocol):
    """`snapshot.Reader.read`: a snapshot, re-reading everything or only what changed."""

    def __call__(
        self, *, full: bool = False, changed: Collection[Path] = (), touched: Collection[Path] = ()
    ) -> RepoSnapshot: ...


@dataclass
class _Wanted:
    """What the next read must cover (requests merged while one runs)."""

    full: bool = False
    changed: set[Path] = field(default_factory=set)
    touched: set[Path] = field(default_factory=set)

    def add(self, full: bool, changed: Collection[Path], touched: Collection[Path]) -> None:
        self.full = self.full or full
        self.changed.update(changed)
        self.touched.update(touched)


class Refresher:
    """Owns the read worker, the safety-net timer and the file watcher of one app."""

    def __init__(self, app: App[None], read: ReadModel) -> None:
        self._app = app
        self._read = read
        self.generation = 0
        self.snapshot: RepoSnapshot | None = None
        self._timer: Timer | None = None
        self._ticks = 0
        self._focused = True
        self._running = False
        self._next: _Wanted | None = None
        self._watched: tuple[Path, ...] | None = None
        self._watch_stop: threading.Event | None = None
        self._retiring: list[threading.Event] = []
        """Watchers replaced by a new one, running on until it has armed."""

    # -- requests ----------------------------------------------------------------------------

    def request(
        self,
        *,
        full: bool = False,
        changed: Collection[Path] = (),
        touched: Collection[Path] = (),
    ) -> None:
        """Read now (or right after the running read, with this merged in)."""
        if self._next is None:
            self._next = _Wanted()
        self._next.add(full, changed, touched)
        if not self._running:
            self._start()

    def focus(self, focused: bool) -> None:
        """The terminal gained or lost focus: coming back re-reads everything."""
        was, self._focused = self._focused, focused
        if focused and not was:
            self.request(full=True)

    def _start(self) -> None:
        wanted, self._next = self._next or _Wanted(), None
        self._running = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.generation += 1
        generation = self.generation

        def load() -> None:
            try:
                snapshot = self._read(
                    full=wanted.full, changed=wanted.changed, touched=wanted.touched
                )
            except WttuiError as exc:
                self._app.post_message(RefreshFailed(str(exc), generation))
                return
            self._app.post_message(SnapshotLoaded(snapshot, generation))

        self._app.run_worker(
            load,
            name="refresh",
            group="refresh",
            thread=True,
            exit_on_error=False,
            description="refresh",
        )

    def loaded(self, snapshot: RepoSnapshot | None) -> bool:
        """A read ended (`snapshot` None: it failed). True when `snapshot` is new to the app.
        Starts the next read if one was asked for meanwhile, else arms the timer."""
        self._running = False
        new = snapshot is not None and snapshot is not self.snapshot
        if snapshot is not None:
            self.snapshot = snapshot
            if snapshot.watched != self._watched:
                self._rewatch(snapshot.watched)
        if self._next is not None:
            self._start()
        else:
            period = PERIOD_SECONDS if self._focused else UNFOCUSED_SECONDS
            self._timer = self._app.set_timer(period, self._tick)
        return new

    def _tick(self) -> None:
        self._timer = None
        self._ticks += 1
        self.request(full=self._focused and self._ticks % FULL_EVERY == 0)

    # -- the watcher -------------------------------------------------------------------------

    def _rewatch(self, paths: tuple[Path, ...]) -> None:
        """Watch `paths` from now on. The previous watcher runs on for RETIRE_SECONDS, while
        the new one arms, so a change in between (a migration written just as a worktree is
        added) is seen by one of them; CATCH_UP_SECONDS later one read covers the paths only
        the new one watches, for what changed there before it armed."""
        before = set(self._watched or ())
        retiring = self._watch_stop
        if retiring is not None:
            self._retiring.append(retiring)
        self._watched = paths
        stop = self._watch_stop = threading.Event()

        def changed(found: set[Path]) -> None:
            self._app.post_message(WatchedPathsChanged(found))

        self._app.run_worker(
            lambda: watch(paths, changed, stop),
            name="watch",
            group="watch",
            thread=True,
            exit_on_error=False,
            description="watch files",
        )
        # The first watch follows the full read that found the paths: a cheap re-read covers
        # it. Later ones re-read the worktrees that hold a path the old watcher did not watch.
        added = set(paths) - before if before else set()
        self._app.set_timer(CATCH_UP_SECONDS, lambda: self._catch_up(added))
        if retiring is not None:
            self._app.set_timer(RETIRE_SECONDS, lambda: self._retire(retiring))

    def _catch_up(self, added: set[Path]) -> None:
        if self._watch_stop is not None:
            self.request(changed=added)

    def _retire(self, retiring: threading.Event) -> None:
        retiring.set()
        if retiring in self._retiring:
            self._retiring.remove(retiring)

    def stop(self) -> None:
        """End the watchers promptly (quitting waits for every worker thread)."""
        for retiring in self._retiring:
            retiring.set()
        self._retiring.clear()
        if self._watch_stop is not None:
            self._watch_stop.set()
            self._watch_stop = None
