"""Helpers for driving the app headlessly with Pilot."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot

from wttui.ui.app import WttuiApp
from wttui.ui.panes.log import LogPane


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 20.0, what: str = ""
) -> None:
    """Let the app run until `condition()` holds (workers are real threads doing real I/O)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.05)


async def loaded(pilot: Pilot[None]) -> WttuiApp:
    app = pilot.app
    assert isinstance(app, WttuiApp)
    await wait_until(pilot, lambda: app.snapshot is not None, what="the first snapshot")
    await pilot.pause()
    return app


async def job_done(pilot: Pilot[None], timeout: float = 30.0) -> None:
    """The action ended and the refresh it started has landed: a test that ends here does not
    leave a refresh to arrive while the app shuts down."""
    app = pilot.app
    assert isinstance(app, WttuiApp)
    await wait_until(pilot, lambda: not app.jobs.busy, timeout, "the action to finish")

    def refreshed() -> bool:
        return all(w.is_finished for w in app.workers if w.group == "refresh")

    await wait_until(pilot, refreshed, timeout, "the refresh after the action")
    await pilot.pause(0.1)


def log_text(app: WttuiApp) -> str:
    return "\n".join(line.text for line in app.query_one(LogPane).lines)


def screen_lines(app: App[object]) -> list[str]:
    """The terminal's text as the user sees it, one string per row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def text_in(app: App[object], region: Region) -> list[str]:
    """The text the user sees inside `region` of the screen, one string per row."""
    lines = screen_lines(app)
    return [line[region.x : region.right] for line in lines[region.y : region.bottom]]
