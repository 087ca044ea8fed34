"""Keeping the panes current without ever blocking the UI.

A refresh is one thread worker calling `Services.snapshot()` (exclusive: a newer request
cancels an older one) that posts `SnapshotLoaded` with a generation number, so a late answer
never overwrites a newer one. The periodic refresh is scheduled only after the previous one
finished, so slow servers never pile refreshes up. A light watcher thread compares the
modification times of `.git/worktrees`, migration folders and env files once a second.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.timer import Timer
from textual.worker import get_current_worker

from wttui.core.models import RepoSnapshot
from wttui.errors import WttuiError
from wttui.ui.messages import RefreshFailed, SnapshotLoaded, WatchedPathsChanged

PERIOD_SECONDS = 10.0
WATCH_SECONDS = 1.0


def signature(paths: list[Path]) -> tuple[tuple[str, int], ...]:
    """Modification times of `paths` and, for folders, of their direct entries."""
    marks: list[tuple[str, int]] = []
    for path in paths:
        try:
            marks.append((str(path), path.stat().st_mtime_ns))
            if path.is_dir():
                with os.scandir(path) as entries:
                    marks.extend((entry.path, entry.stat().st_mtime_ns) for entry in entries)
        except OSError:
            marks.append((str(path), -1))
    return tuple(sorted(marks))


class Refresher:
    """Owns the refresh worker, the periodic timer and the file watcher of one app."""

    def __init__(self, app: App[None], read: Callable[[], RepoSnapshot]) -> None:
        self._app = app
        self._read = read
        """The read model (`snapshot.read_snapshot` bound to the app's services)."""
        self.generation = 0
        self._timer: Timer | None = None
        self._paths: list[Path] = []
        self._stopped = threading.Event()

    def stop(self) -> None:
        """End the watcher promptly (quitting waits for every worker thread)."""
        self._stopped.set()

    def request(self) -> None:
        """Start a refresh now (a running one is superseded)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.generation += 1
        generation = self.generation

        def load() -> None:
            try:
                snapshot = self._read()
                self._paths = list(snapshot.watched)
            except WttuiError as exc:
                self._app.post_message(RefreshFailed(str(exc), generation))
                return
            self._app.post_message(SnapshotLoaded(snapshot, generation))

        self._app.run_worker(
            load,
            name="refresh",
            group="refresh",
            thread=True,
            exclusive=True,
            exit_on_error=False,
            description="refresh",
        )

    def loaded(self) -> None:
        """A refresh ended: schedule the next periodic one."""
        self._timer = self._app.set_timer(PERIOD_SECONDS, self.request)

    def start_watching(self) -> None:
        def watch() -> None:
            worker = get_current_worker()
            seen = signature(self._paths)
            while not self._stopped.wait(WATCH_SECONDS) and not worker.is_cancelled:
                now = signature(self._paths)
                if now != seen:
                    seen = now
                    self._app.post_message(WatchedPathsChanged())

        self._app.run_worker(
            watch,
            name="watch",
            group="watch",
            thread=True,
            exit_on_error=False,
            description="watch files",
        )
