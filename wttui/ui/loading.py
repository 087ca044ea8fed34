"""The app's repository: given when the app is made (tests, screenshots), or loaded from a
directory by the first refresh worker, after the first frame (P1).

Discovering the repository, reading its config and wiring its providers import most of wttui;
done before the first frame, they would delay it by more than Textual itself takes. A failure
(a malformed config) ends the app; `launch.py` then prints its one line and exit code.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App

from wttui.errors import WttuiError

if TYPE_CHECKING:
    from wttui.core.models import RepoSnapshot
    from wttui.services import Services
    from wttui.ui.refresh import ReadModel


class Repository:
    """`services` once known; `read` is the refresh worker's read model."""

    def __init__(
        self,
        app: App[None],
        use: Callable[[Services], None],
        *,
        services: Services | None = None,
        start: Path | None = None,
        read: ReadModel | None = None,
    ) -> None:
        if services is None and start is None:
            raise ValueError("the app needs services or a directory to start in")
        self._app = app
        self._use = use
        self._start = start
        self._read = read
        self.services = services
        self.failed: WttuiError | None = None
        """Why the app ended early: loading the repository failed."""
        if services is not None:
            use(services)

    def read(
        self, *, full: bool = False, changed: Collection[Path] = (), touched: Collection[Path] = ()
    ) -> RepoSnapshot:
        """A snapshot (in the refresh worker). The first read loads the repository when the
        app was given a directory, and imports the read model."""
        if self._read is None:
            services = self.services or self._load()
            from wttui.snapshot import Reader

            self._read = Reader(services).read
        return self._read(full=full, changed=changed, touched=touched)

    def _load(self) -> Services:
        from wttui.services import Services

        assert self._start is not None
        try:
            services = Services.from_path(self._start)
        except WttuiError as exc:
            self._app.call_from_thread(self._end_with, exc)
            raise
        self._app.call_from_thread(self._loaded, services)
        return services

    def _loaded(self, services: Services) -> None:
        self.services = services
        self._use(services)

    def _end_with(self, error: WttuiError) -> None:
        self.failed = error
        self._app.exit(return_code=error.exit_code)
