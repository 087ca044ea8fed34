"""SVG snapshots of the main screen at the sizes DESIGN §4 names (layout regressions)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from tests.app.conftest import wait_until
from tests.app.fake_services import NOW, fake_app
from wttui.ui import format as fmt
from wttui.ui.app import WttuiApp


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fmt, "now", lambda: NOW)


async def ready(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, WttuiApp)
    await wait_until(pilot, lambda: app.snapshot is not None)
    await pilot.press("j")
    await pilot.pause(0.5)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def app() -> WttuiApp:
    return fake_app()


@pytest.mark.parametrize("size", [(120, 34), (100, 30), (80, 24), (60, 24)])
def test_main_screen(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    assert snap_compare(app(), terminal_size=size, run_before=ready)


def test_failed_migration_is_shown_in_words(snap_compare: Callable[..., bool]) -> None:
    async def select_failed(pilot: Pilot[None]) -> None:
        await ready(pilot)
        await pilot.press("j", "j", "enter", "G")
        await pilot.pause(0.3)

    assert snap_compare(app(), terminal_size=(100, 30), run_before=select_failed)
