"""Keys, mouse and the palette as lazygit/k9s users expect them (issue 11), on the fixed
snapshot of `fake_services.py`: what is on screen after each key."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, OptionList

from tests.app.conftest import loaded, screen_lines, text_in, wait_until
from tests.app.fake_services import NOW, SNAPSHOT, FakeServices, fake_app, view
from wttui.core.models import MigrationState, WorktreeView
from wttui.ui.app import WttuiApp
from wttui.ui.commands import ACTIONS
from wttui.ui.panes.log import LogPane
from wttui.ui.panes.migrations import MigrationsPane
from wttui.ui.panes.worktrees import WorktreesPane
from wttui.ui.screens.help import HelpScreen

A = MigrationState.APPLIED


def app_of(*views: WorktreeView) -> WttuiApp:
    snapshot = replace(SNAPSHOT, views=views) if views else SNAPSHOT
    return fake_app(FakeServices(snapshot))


def labels(app: WttuiApp) -> list[str]:
    """Branch names in the order the Worktrees pane shows them."""
    rows = text_in(app, app.query_one(WorktreesPane).table.region)[1:]
    return [row.split()[0] for row in rows if row.strip()]


async def palette(pilot: object, query: str) -> None:
    """Run the palette entry found by typing `query`."""
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    await pilot.press(*query)
    await pilot.pause(0.5)
    await pilot.press("enter")
    await pilot.pause(0.2)


@pytest.mark.parametrize("key", ["ctrl+p", "colon"])
async def test_ctrl_p_and_colon_open_the_palette(key: str) -> None:
    app = app_of()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"migrate")
        await pilot.pause(0.5)
        assert any("Apply pending migrations" in line for line in screen_lines(app))


async def test_ctrl_p_opens_the_palette_from_the_filter_field() -> None:
    app = app_of()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", "f", "ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_slash_filters_the_worktree_list_and_esc_clears_it() -> None:
    app = app_of()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        everything = labels(app)
        assert len(everything) > 2
        wanted = everything[-1]
        await pilot.press("slash", *wanted)
        await pilot.pause()
        assert labels(app) == [wanted]
        await pilot.press("enter")  # keeps the filter, back in the list
        assert app.query_one(WorktreesPane).table.has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert labels(app) == everything
        await pilot.press("slash", *wanted[:-1], "x")  # the field opens again, empty
        await pilot.pause()
        assert labels(app) == []


async def test_help_lists_every_key_with_its_pane() -> None:
    app = app_of()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        options = app.screen.query_one(OptionList)
        prompts = [options.get_option_at_index(i) for i in range(options.option_count)]
        wheres = {info.where for info in ACTIONS}
        shown: list[tuple[str, str]] = []  # (pane, line) as on screen, under the pane's header
        for option in prompts:
            if str(option.prompt) in wheres:
                pane = str(option.prompt)
            else:
                shown.append((pane, str(option.prompt)))
        for info in ACTIONS:
            if info.key:
                pane, line = next((p, x) for p, x in shown if x.endswith(info.description))
                assert line.startswith(info.keys), line
                assert pane == info.where, (pane, line)
        log_keys = {line.split()[0] for pane, line in shown if pane == "Log"}
        assert {"j", "k", "g", "G", "/", "n", "N", "esc"} <= log_keys
        await pilot.press(*"log")  # filtering by a pane's name lists its keys
        assert 8 <= options.option_count < len(prompts)
        text = "\n".join(screen_lines(app))
        assert "Scroll up (stops following new lines)" in text


async def test_natural_order_main_first_and_the_palette_sorts() -> None:
    def sized(branch: str, size: int, hours: int) -> WorktreeView:
        made = view(branch, f"/src/w/{branch}", states=[A])
        assert made.database is not None
        worktree = replace(made.worktree, last_commit_at=NOW - timedelta(hours=hours))
        return replace(made, worktree=worktree, database=replace(made.database, size_bytes=size))

    main = view("main", "/src/w", states=[A], main=True)
    views = [sized(f"feat/w{n}", size=n * 1_000_000, hours=n) for n in (1, 10, 11, 2)]
    app = app_of(*views, main)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert labels(app) == ["main", "feat/w1", "feat/w2", "feat/w10", "feat/w11"]
        await palette(pilot, "sort worktrees by database size")
        assert labels(app) == ["main", "feat/w11", "feat/w10", "feat/w2", "feat/w1"]
        assert "by size" in str(app.query_one(WorktreesPane).border_subtitle)
        await palette(pilot, "sort worktrees by last commit")
        assert labels(app) == ["main", "feat/w1", "feat/w2", "feat/w10", "feat/w11"]
        await palette(pilot, "sort worktrees by name")
        assert labels(app)[1:3] == ["feat/w1", "feat/w2"]


async def test_pending_sort_puts_the_most_pending_first() -> None:
    P = MigrationState.PENDING
    views = [
        view("feat/a", "/src/w/a", states=[A, A, A, A]),
        view("feat/b", "/src/w/b", states=[A, P, P, P]),
        view("feat/c", "/src/w/c", states=[A, A, P]),
        view("main", "/src/w", states=[A], main=True),
    ]
    app = app_of(*views)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await palette(pilot, "sort worktrees by pending")
        assert labels(app) == ["main", "feat/b", "feat/c", "feat/a"]


async def test_one_click_selects_a_double_click_drills_in() -> None:
    app = app_of()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        table = app.query_one(WorktreesPane).table
        await pilot.click(table, offset=(3, 3))  # header, main, feat/payments, feat/user-auth
        await pilot.pause()
        assert app.selected is not None
        assert app.selected.worktree.label == "feat/user-auth"
        await pilot.pause(app.CLICK_CHAIN_TIME_THRESHOLD + 0.1)  # not a double click
        await pilot.click(table, offset=(3, 3))  # one more click on the selected row
        await pilot.pause()
        assert table.has_focus
        await pilot.double_click(table, offset=(3, 3))
        await pilot.pause()
        assert app.query_one(MigrationsPane).table.has_focus
        await pilot.press("1", "enter")  # enter drills in too
        await pilot.pause()
        assert app.query_one(MigrationsPane).table.has_focus


async def test_flags_in_brackets_are_shown_as_written() -> None:
    """Cells are text, never markup: `[locked]` used to vanish as an unknown style tag."""
    locked = view("feat/locked", "/src/w/locked", states=[A])
    locked = replace(locked, worktree=replace(locked.worktree, locked=True))
    app = app_of(view("main", "/src/w", states=[A], main=True), locked)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert any("feat/locked [locked]" in row for row in screen_lines(app))


async def test_the_loading_line_goes_away_when_data_arrives() -> None:
    import threading

    gate = threading.Event()

    class Slow(FakeServices):
        def snapshot(self):  # type: ignore[no-untyped-def]
            gate.wait(10)
            return super().snapshot()

    app = fake_app(Slow())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        assert any("loading" in line for line in screen_lines(app))
        gate.set()
        await loaded(pilot)
        assert not any("loading" in line for line in screen_lines(app))
        log = "\n".join(text_in(app, app.query_one(LogPane).region))
        assert "5 worktree(s) on" in log


async def follow_screen(pilot: object, app: WttuiApp) -> LogPane:
    log = app.query_one(LogPane)
    for n in range(60):
        log.write(f"line {n}")
    await pilot.press("4")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    return log


async def test_log_keys_scroll_and_follow_mode() -> None:
    app = app_of()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        log = await follow_screen(pilot, app)
        assert "line 59" in "".join(text_in(app, log.region))
        await pilot.press("k", "k", "k")
        await pilot.pause()
        assert "paused: G follows" in "".join(text_in(app, log.region))
        log.write("line 60")
        await pilot.pause()
        assert "line 60" not in "".join(text_in(app, log.region))  # stays where the user is
        await pilot.press("g")
        await pilot.pause()
        assert "line 0" in "".join(text_in(app, log.region))
        await pilot.press("G")
        await pilot.pause()
        log.write("line 61")
        await pilot.pause()
        shown = "".join(text_in(app, log.region))
        assert "line 61" in shown
        assert "paused" not in shown
        await pilot.press("k")
        await pilot.pause()
        for _ in range(5):
            await pilot.press("j")
        await pilot.pause()
        log.write("line 62")  # back at the bottom by scrolling: following again
        await pilot.pause()
        assert "line 62" in "".join(text_in(app, log.region))


async def test_slash_searches_the_log() -> None:
    app = app_of()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        log = await follow_screen(pilot, app)
        log.write("needle in the middle")
        for n in range(60, 80):
            log.write(f"line {n}")
        await pilot.press("g", "slash", *"line 1")
        await pilot.pause()
        shown = "".join(text_in(app, log.region))
        assert "/line 1 11/11" in shown  # line 1, 10–19: the newest first
        assert "line 19" in shown
        await pilot.press("enter", "n")
        await pilot.pause()
        assert "/line 1 1/11" in "".join(text_in(app, log.region))
        await pilot.press("slash")
        app.screen.query_one("#log-search", Input).value = "needle"
        await pilot.press("enter")
        await pilot.pause()
        shown = "".join(text_in(app, log.region))
        assert "needle in the middle" in shown
        assert "/needle 1/1" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert "/needle" not in "".join(text_in(app, log.region))
        assert log.view.has_focus  # esc closed the search, it did not leave the pane
        await pilot.press("escape")
        assert app.query_one(WorktreesPane).table.has_focus


async def test_the_palette_saves_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WTTUI_DATA_DIR", str(tmp_path))
    app = app_of()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        app.query_one(LogPane).write("[red]not markup[/red] and a line")
        await palette(pilot, "save the log")
        await wait_until(pilot, lambda: any((tmp_path / "logs").glob("*.log")), what="the file")
        saved = next((tmp_path / "logs").glob("*.log"))
        text = saved.read_text()
        assert "5 worktree(s) on" in text
        assert "[red]not markup[/red] and a line" in text
        await wait_until(pilot, lambda: bool(app._notifications), what="the notification")
        assert any(str(saved) in n.message for n in app._notifications)


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
async def test_page_keys_home_and_end_scroll_the_help(size: tuple[int, int]) -> None:
    """The help is longer than the screen: PageDown/PageUp page through it and End shows its
    last lines (the legend), Home its first, while the cursor is in the filter field."""
    app = app_of()
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        options = app.screen.query_one(OptionList)
        last_mark = "no database on purpose"
        first = "\n".join(screen_lines(app))
        assert last_mark not in first
        await pilot.press("pagedown")
        await pilot.pause()
        assert options.scroll_y >= options.size.height - 2  # about a page
        paged = "\n".join(screen_lines(app))
        assert paged != first
        await pilot.press("end")
        await pilot.pause()
        assert last_mark in "\n".join(screen_lines(app))
        assert options.highlighted is None  # enter runs nothing out of sight
        await pilot.press("up")  # the last key it can run
        await pilot.pause()
        assert options.highlighted is not None
        assert not options.get_option_at_index(options.highlighted).disabled
        await pilot.press("pageup")
        await pilot.pause()
        assert last_mark not in "\n".join(screen_lines(app))
        await pilot.press("home")
        await pilot.pause()
        assert options.scroll_y == 0
        assert "\n".join(screen_lines(app)) == first
        for _ in range(12):  # page after page reaches the legend too
            await pilot.press("pagedown")
        await pilot.pause()
        assert last_mark in "\n".join(screen_lines(app))
        assert app.screen.query_one(Input).has_focus


async def test_the_key_enter_would_run_stands_out_without_colour() -> None:
    """`?` help while the filter has the focus: the highlighted key (what Enter runs) must read
    without colour too. NO_COLOR turns colours into greys; the highlight was grey 236 on the
    list's 234, invisible. Compared here as NO_COLOR shows them: by brightness."""
    from rich.color import Color as RichColor
    from textual.color import Color

    app = app_of()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        options = app.screen.query_one(OptionList)
        assert options.highlighted is not None
        assert not options.has_focus  # the filter has it

        def grey(style_color: RichColor | None) -> float:
            return Color.from_rich_color(style_color).monochrome.brightness

        highlighted = options.get_component_rich_style("option-list--option-highlighted")
        base = options.rich_style
        assert abs(grey(highlighted.bgcolor) - grey(base.bgcolor)) > 0.15
