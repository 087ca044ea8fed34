"""The app's container keys on a real engine: `s` stops and starts, `L` shows the log."""

from __future__ import annotations

from collections.abc import Callable

from tests import steps
from tests.app.conftest import job_done, loaded, log_text, wait_until
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import DbStatus
from wttui.services import Services
from wttui.ui.app import make_app
from wttui.ui.panes.database import DatabasePane


async def test_stop_start_and_logs_from_the_keyboard(
    container_repo: Callable[..., Services],
) -> None:
    services = container_repo()
    steps.create(services, "feat/keys", sink=ListSink(), cancel=CancelToken())
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j")
        await wait_until(
            pilot, lambda: app.selected is not None and app.selected.worktree.label == "feat/keys"
        )
        pane = app.query_one(DatabasePane)
        assert "own Docker container" in pane.text

        await pilot.press("s")
        await job_done(pilot, 60)
        await wait_until(
            pilot,
            lambda: app.selected is not None and app.selected.db_status is DbStatus.STOPPED,
            what="the container to show as stopped",
        )
        assert "container stopped" in pane.text

        await pilot.press("L")
        await job_done(pilot, 60)
        assert "Last 100 log lines of" in log_text(app)
        assert "database system" in log_text(app)  # PostgreSQL's own lines, streamed

        await pilot.press("s")
        await job_done(pilot, 60)
        await wait_until(
            pilot,
            lambda: app.selected is not None and app.selected.db_status is DbStatus.PRESENT,
            what="the container to run again",
        )
