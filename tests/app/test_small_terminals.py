"""Dialogs that fit 80×24 and 60×24, and states readable without colour (issue 11)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input

from tests.app.conftest import loaded, screen_lines
from tests.app.fake_services import SNAPSHOT, FakeServices, fake_app
from wttui.core.plans import Confirmation, CreatePlan, EnvEdit, RemovePlan
from wttui.ui.app import WttuiApp
from wttui.ui.screens.confirm import ConfirmScreen
from wttui.ui.screens.create import CreateScreen
from wttui.ui.screens.help import HelpScreen
from wttui.ui.screens.remove import RemoveScreen
from wttui.ui.widgets import TickBox

LONG = "feature/PROJ-1234-add-stripe-webhook-retry-queue"


def remove_plan() -> RemovePlan:
    """The tallest remove dialog: a long path, open sessions and uncommitted changes."""
    view = SNAPSHOT.views[2]
    path = Path("/home/someone/src/shop-worktrees") / LONG.replace("/", "-")
    worktree = view.worktree.__class__(
        **{**view.worktree.__dict__, "branch": LONG, "path": path, "dirty": True}
    )
    assert view.target is not None
    return RemovePlan(
        worktree=worktree,
        target=view.target,
        database_exists=True,
        shared_with=(),
        sessions=3,
        will_drop=True,
        force=True,
        overrides=(
            f"Worktree {LONG} at {path} has uncommitted changes",
            f"Database {view.target.label} has 3 open session(s)",
        ),
        confirmation=Confirmation(
            f"Remove worktree {LONG} at {path} and drop database {view.target.label}?",
            typed=view.target.label,
            yes="Remove",
        ),
    )


def create_plan() -> CreatePlan:
    path = Path("/home/someone/src/shop-worktrees") / LONG.replace("/", "-")
    target = SNAPSHOT.views[2].target
    assert target is not None
    return CreatePlan(
        LONG,
        None,
        path,
        target,
        path / ".env",
        env_edits=(EnvEdit("DATABASE_URL", None, target.url), EnvEdit("DB_NAME", None, "x")),
    )


def dialogs() -> list[tuple[str, Screen[object]]]:
    diff = [f"-DATABASE_URL=old{n}" for n in range(12)] + [
        f"+DATABASE_URL=new{n}" for n in range(12)
    ]
    body = [f"database   shop_feat_x on {SNAPSHOT.server}", "sessions   3 open"]
    overwrite = Confirmation("Overwrite the hand-set values?", yes="Overwrite")
    drop = Confirmation("Drop database shop_feat_x?", typed="shop_feat_x", yes="Drop")
    return [
        ("create", cast(Screen[object], CreateScreen(lambda _request: create_plan()))),
        (
            "remove",
            cast(
                Screen[object],
                RemoveScreen(LONG, lambda _keep, _force: remove_plan(), remove_plan(), None),
            ),
        ),
        ("confirm", cast(Screen[object], ConfirmScreen("Overwrite?", diff, overwrite))),
        ("typed", cast(Screen[object], ConfirmScreen("Drop?", body, drop))),
        ("help", cast(Screen[object], HelpScreen())),
    ]


def fully_on_screen(screen: Screen[object], widget: Widget) -> bool:
    """On screen, inside its dialog's box, and not covered by anything."""
    region = widget.region
    box = screen.query_one(".dialog").region
    if not (region.area and screen.region.contains_region(region)):
        return False
    if not box.contains_region(region):
        return False  # scrolled out of the dialog
    on_top, _ = screen.get_widget_at(*region.center)
    return on_top is widget or widget in on_top.ancestors


@pytest.mark.parametrize("size", [(80, 24), (60, 24)])
@pytest.mark.parametrize("which", [name for name, _ in dialogs()])
async def test_every_dialog_fits_with_its_fields_and_buttons(
    size: tuple[int, int], which: str
) -> None:
    app = fake_app(FakeServices())
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        dialog = dict(dialogs())[which]
        await app.push_screen(dialog)
        await pilot.pause()
        if isinstance(dialog, CreateScreen):  # with its plan shown: the tallest it gets
            dialog.query_one("#branch", Input).value = LONG
            button = dialog.query_one("#create", Button)
            for _ in range(100):
                if not button.disabled:
                    break
                await pilot.pause(0.05)
            assert not button.disabled, "the plan was never shown"
        controls = [w for w in dialog.query("Input, Button") if w.display]
        assert controls
        for control in controls:
            assert fully_on_screen(dialog, control), (control, control.region)
            assert isinstance(control, Input | Button)


@pytest.mark.parametrize("size", [(80, 24), (60, 24)])
@pytest.mark.parametrize("which", ["remove", "typed"])
async def test_the_name_to_type_is_a_box_that_reads_without_colour(
    size: tuple[int, int], which: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under the prompt the field's box is drawn (it was one line high with no border below
    30 rows: a blank line without colour), on screen with the buttons."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = fake_app(FakeServices())
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        dialog = dict(dialogs())[which]
        await app.push_screen(dialog)
        await pilot.pause()
        field = dialog.query_one("#typed", Input)
        assert field.region.height == 3
        lines = screen_lines(app)
        prompt = next(i for i, line in enumerate(lines) if "to confirm:" in line)
        top, middle, bottom = lines[prompt + 1 : prompt + 4]
        assert "▔▔▔" in top, lines
        assert "▊" in middle, lines
        assert "▁▁▁" in bottom, lines
        for control in dialog.query("Input, Button"):
            if control.display:
                assert fully_on_screen(dialog, control), (control, control.region)


async def test_remove_dialog_tick_boxes_read_without_colour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The glyphs differ in text: `[x]` ticked, `[ ]` not, with colour off."""
    monkeypatch.setenv("NO_COLOR", "1")

    class Boxes(App[None]):
        def compose(self) -> ComposeResult:
            yield TickBox("keep the database", value=True)
            yield TickBox("force")

    app = Boxes()
    async with app.run_test(size=(40, 5)) as pilot:
        assert app.no_color
        lines = screen_lines(app)
        assert any("[x] keep the database" in line for line in lines)
        assert any("[ ] force" in line for line in lines)
        await pilot.click(TickBox, offset=(1, 0))  # the first: unticked by a click
        await pilot.press("tab", "space")  # the second: ticked by a key
        await pilot.pause()
        lines = screen_lines(app)
        assert any("[ ] keep the database" in line for line in lines)
        assert any("[x] force" in line for line in lines)


async def test_the_main_screen_reads_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = fake_app(FakeServices())
    assert isinstance(app, WttuiApp)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "j", "j")  # fix/sessions: a failed migration
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "┏━ 1 Worktrees" in text  # the pane in use has a heavy border…
        assert "╭─ 3 Migrations" in text  # …the others a light one
        assert "✗ FAILED" in text
        assert "✓ applied" in text
        await pilot.press("3")
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "┏━ 3 Migrations" in text
        assert "╭─ 1 Worktrees" in text
