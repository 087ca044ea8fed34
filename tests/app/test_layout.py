"""The main screen at the sizes people run it at (issue 11): breakpoints, long names, zoom.

Layout only: these run on the fixed snapshot of `fake_services.py`, at the sizes where the app
was seen failing, and assert what is on screen.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widget import Widget

from tests.app.conftest import loaded, screen_lines, text_in, wait_until
from tests.app.fake_services import SNAPSHOT, FakeServices, fake_app, view
from wttui.core.models import MigrationState
from wttui.ui import format as fmt
from wttui.ui.app import WttuiApp
from wttui.ui.layout import Panes
from wttui.ui.panes.database import DatabasePane
from wttui.ui.panes.log import LogPane
from wttui.ui.panes.migrations import MigrationsPane
from wttui.ui.panes.worktrees import WorktreesPane

A = MigrationState.APPLIED
TICKET = "feature/PROJ-1234-add-stripe-webhook-retry-queue"
HUGE = "feat/" + "x" * 195


def app_with(*extra: str) -> tuple[WttuiApp, FakeServices]:
    views = SNAPSHOT.views + tuple(
        view(branch, f"/src/shop-worktrees/{index}", states=[A, A])
        for index, branch in enumerate(extra)
    )
    services = FakeServices(replace(SNAPSHOT, views=views))
    return fake_app(services), services


def panes(app: WttuiApp) -> list[Widget]:
    return app.query_one(Panes).panes


def shown(app: WttuiApp) -> list[Widget]:
    return [pane for pane in panes(app) if pane.display and pane.region.area]


def assert_no_overlap(app: WttuiApp) -> None:
    screen = app.screen.region
    for pane in shown(app):
        assert screen.contains_region(pane.region), pane
    for one, other in combinations(shown(app), 2):
        assert not one.region.overlaps(other.region), (one, other)


def worktree_rows(app: WttuiApp) -> list[str]:
    """The worktrees table as on screen, header first."""
    return text_in(app, app.query_one(WorktreesPane).table.region)


@pytest.mark.parametrize("size", [(200, 50), (100, 30), (80, 24), (60, 24), (50, 15)])
async def test_long_branch_names_never_hide_the_state_columns(size: tuple[int, int]) -> None:
    app, _ = app_with(TICKET, HUGE)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        rows = worktree_rows(app)
        assert all(title in rows[0] for title in ("Branch", "DB", "Migrations", "Age")), rows[0]
        for row in rows[1:]:
            if row.strip():  # every row's state is on screen: its database and its age
                assert re.search(r"(✓ 8 MiB|– none) .* \d+[hd]\b", row), row
        names = [row for row in rows if "PROJ-1234" in row]
        if size[0] >= 80:
            assert len(names) == 1
            if size[0] >= 120:  # three columns: the worktrees take what the others leave
                assert TICKET in names[0]
            else:
                assert "…" in names[0]
            assert names[0].lstrip().startswith("feature/PROJ-1234")


async def test_column_widths_follow_the_rows_shown_now() -> None:
    """A removed long name stops widening the branch column (widths are recomputed)."""
    app, services = app_with(HUGE)
    async with app.run_test(size=(200, 50)) as pilot:
        await loaded(pilot)
        assert any("xxxx" in row for row in worktree_rows(app))
        services.current = SNAPSHOT
        app.refresher.request()
        await wait_until(pilot, lambda: app.snapshot is SNAPSHOT, what="the refresh")
        await pilot.pause()
        table = app.query_one(WorktreesPane).table
        longest = max(len(fmt.branch_cell(v)) for v in SNAPSHOT.views)  # "feat/user-auth ↑2"
        assert table.ordered_columns[0].width == longest
        assert worktree_rows(app)[0].index("Age") < longest + 30


async def test_three_columns_from_120() -> None:
    app, _ = app_with()
    async with app.run_test(size=(120, 34)) as pilot:
        await loaded(pilot)
        worktrees, database, migrations, log = (pane.region for pane in panes(app))
        assert worktrees.y == database.y == migrations.y
        assert worktrees.right <= database.x < database.right <= migrations.x
        assert log.y >= max(worktrees.bottom, database.bottom)
        assert log.width == 120
        assert_no_overlap(app)


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
async def test_database_over_migrations_from_80(size: tuple[int, int]) -> None:
    app, _ = app_with()
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        worktrees, database, migrations, log = (pane.region for pane in panes(app))
        assert database.x == migrations.x > worktrees.x
        assert migrations.y >= database.bottom
        assert log.y >= worktrees.bottom
        assert log.width == size[0]
        assert_no_overlap(app)


@pytest.mark.parametrize("size", [(60, 24), (70, 20), (79, 22)])
async def test_stacked_with_database_and_migrations_as_tabs(size: tuple[int, int]) -> None:
    app, _ = app_with()
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await pilot.press("j")  # feat/payments: three migrations
        await pilot.pause()
        assert_no_overlap(app)
        worktrees = app.query_one(WorktreesPane)
        migrations = app.query_one(MigrationsPane)
        assert migrations.region.y > worktrees.region.y
        assert migrations.region.width == worktrees.region.width == size[0]
        table = text_in(app, migrations.table.region)
        assert sum("applied" in row for row in table) == 2
        assert any("pending" in r for r in table)
        assert any("2 Database  [3 Migrations]" in line for line in screen_lines(app))

        await pilot.press("2")
        await pilot.pause()
        assert_no_overlap(app)
        assert not migrations.region.area
        assert "shop_feat_payments" in "".join(text_in(app, app.query_one(DatabasePane).region))
        assert any("[2 Database]  3 Migrations" in line for line in screen_lines(app))


async def test_one_pane_at_a_time_below_60() -> None:
    app, _ = app_with()
    async with app.run_test(size=(50, 15)) as pilot:
        await loaded(pilot)
        assert shown(app) == [app.query_one(WorktreesPane), app.query_one(LogPane)]
        assert app.query_one(WorktreesPane).region.width == 50
        assert app.query_one(LogPane).region.height == 1
        assert_no_overlap(app)
        await pilot.press("enter")  # drill in: the migrations take the screen
        await pilot.pause()
        assert shown(app) == [app.query_one(MigrationsPane), app.query_one(LogPane)]
        assert app.query_one(MigrationsPane).table.row_count == 2
        assert "[3 Migrations]" in screen_lines(app)[0]
        await pilot.press("escape")
        await pilot.pause()
        assert shown(app)[0] is app.query_one(WorktreesPane)
        await pilot.press("tab")
        await pilot.pause()
        assert shown(app)[0] is app.query_one(DatabasePane)


async def test_short_terminal_keeps_one_log_line() -> None:
    app, _ = app_with()
    async with app.run_test(size=(100, 18)) as pilot:
        await loaded(pilot)
        log = app.query_one(LogPane)
        assert log.region.height == 1
        assert "worktree(s) on" in text_in(app, log.region)[0]
        assert_no_overlap(app)


@pytest.mark.parametrize("number", [1, 2, 3, 4])
@pytest.mark.parametrize("size", [(100, 30), (60, 24)])
async def test_pressing_a_pane_number_twice_fills_the_screen(
    number: int, size: tuple[int, int]
) -> None:
    app, _ = app_with()
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        if number == 1:
            await pilot.press("tab")  # the focus elsewhere first
        await pilot.press(str(number), str(number))
        await pilot.pause()
        pane = panes(app)[number - 1]
        width, height = size
        assert pane.region == Region(0, 0, width, height - 1)  # all but the footer
        assert shown(app) == [pane]
        await pilot.press("escape")
        await pilot.pause()
        assert pane.region != Region(0, 0, width, height - 1)


async def test_clicking_a_tab_shows_its_pane() -> None:
    app, _ = app_with()
    async with app.run_test(size=(60, 24)) as pilot:
        await loaded(pilot)
        await pilot.click("#side-tabs", offset=(3, 0))  # on "2 Database"
        await pilot.pause()
        assert app.query_one(DatabasePane).region.area
        assert not app.query_one(MigrationsPane).region.area
        await pilot.click("#side-tabs", offset=(18, 0))  # on "3 Migrations"
        await pilot.pause()
        assert app.query_one(MigrationsPane).region.area


@pytest.mark.parametrize("size", [(90, 30), (100, 30), (110, 30)])
async def test_migrations_beside_the_worktrees_read_whole_from_90(size: tuple[int, int]) -> None:
    """80–119 columns: the Worktrees pane is as wide as its rows (up to half), so the
    Migrations pane beside it shows names uncut (at 100×30 they read `create_orde…`), and from
    100 columns who applied them."""
    app, _ = app_with()
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        table = text_in(app, app.query_one(MigrationsPane).table.region)
        applied = r"\d+[smhd] ago · main" if size[0] >= 100 else r"\d+[smhd] ago"
        for name in ("create_users ", "create_orders "):
            assert any(name in row and re.search(applied, row) for row in table), table
        rows = worktree_rows(app)  # and the worktrees read whole
        assert any("feat/user-auth ↑2 " in row for row in rows), rows
        if size[0] >= 100:  # with their states in words
            assert any("feat/payments" in row and "pending" in row for row in rows), rows
        assert_no_overlap(app)


async def test_long_branch_names_take_at_most_half_of_a_split_screen() -> None:
    app, _ = app_with(TICKET)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        worktrees, _, migrations, _ = (pane.region for pane in panes(app))
        assert worktrees.width == 50
        assert migrations.width == 50
        assert any("…" in row for row in worktree_rows(app))  # the long name is cut instead


async def test_the_split_follows_resizes_and_zoom() -> None:
    """The width the Worktrees pane gets at 80–119 columns is not kept in other layouts."""
    app, _ = app_with()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        worktrees = app.query_one(WorktreesPane)
        split = worktrees.region.width
        assert split < 60  # narrower than the old 3:2 share
        await pilot.resize_terminal(60, 24)
        await pilot.pause()
        assert worktrees.region.width == 60  # stacked: full width
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        assert worktrees.region.width == worktrees.wanted_width  # three columns: its rows
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert worktrees.region.width == split
        await pilot.press("tab", "1", "1")  # zoom: the whole screen
        await pilot.pause()
        assert worktrees.region.width == 100
        await pilot.press("escape")
        await pilot.pause()
        assert worktrees.region.width == split


async def test_the_worktrees_pane_keeps_its_width_while_its_rows_change() -> None:
    """A pending migration applied (a shorter row) does not narrow the pane and move every
    pane beside it; a new worktree with a longer name widens it."""
    app, _ = app_with()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        pane = app.query_one(WorktreesPane)
        width, wanted = pane.region.width, pane.wanted_width
        applied = tuple(
            replace(v, migrations=tuple(replace(m, state=A) for m in v.migrations))
            for v in SNAPSHOT.views
        )
        pane.show(replace(SNAPSHOT, views=applied))
        await pilot.pause()
        assert not any("pending" in row for row in worktree_rows(app))  # the rows did change
        assert pane.region.width == width
        assert pane.wanted_width == wanted
        longer = view("feat/a-much-longer-branch-name", "/src/shop-worktrees/x", states=[A])
        pane.show(replace(SNAPSHOT, views=(*applied, longer)))
        await pilot.pause()
        assert (pane.wanted_width or 0) > (wanted or 0)


def database_lines_whole(app: WttuiApp) -> None:
    """Every line of the Database pane but the URL is on one row of the screen."""
    pane = app.query_one(DatabasePane)
    rows = [" ".join(row.split()) for row in text_in(app, pane.region)]
    for line in pane.text.splitlines():
        if not line.startswith("url"):
            assert any(" ".join(line.split()) in row for row in rows), (line, rows)


@pytest.mark.parametrize("size", [(120, 34), (140, 34), (160, 40), (200, 50)])
async def test_three_columns_share_the_width_so_each_pane_reads_whole(
    size: tuple[int, int],
) -> None:
    """≥120 columns (`wide_widths`): worktree names whole, the Database pane's lines (but the
    URL) unwrapped, migration names and their ages whole; from 160 columns the versions and
    who applied each migration too."""
    app, _ = app_with()
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await pilot.press("j")  # feat/payments
        await pilot.pause()
        rows = worktree_rows(app)
        for view_ in SNAPSHOT.views:
            assert any(fmt.branch_cell(view_) + " " in row for row in rows), rows
        database_lines_whole(app)
        migrations = text_in(app, app.query_one(MigrationsPane).table.region)
        for name in ("create_users", "create_orders"):
            row = next(row for row in migrations if f" {name} " in row)
            assert re.search(r"\b\d+[smhdw] ago\b", row), row
            if size[0] >= 160:
                assert re.search(r"\b\d+[smhdw] ago · feat/payments\b", row), row
                assert re.search(r"\b2025101\d{7}\b", row), row
        assert_no_overlap(app)


async def test_a_long_branch_name_is_cut_before_the_other_panes_are() -> None:
    """At 120 columns a name that cannot be whole beside the others is cut in the middle;
    the Database and Migrations panes still read whole."""
    app, _ = app_with(TICKET)
    async with app.run_test(size=(120, 34)) as pilot:
        await loaded(pilot)
        await pilot.press("j")
        await pilot.pause()
        assert any("PROJ-1234" in row and "…" in row for row in worktree_rows(app))
        database_lines_whole(app)
        migrations = text_in(app, app.query_one(MigrationsPane).table.region)
        ages = [row for row in migrations if re.search(r" create_orders +\d+[smhdw] ago", row)]
        assert ages, migrations


def test_wide_widths_fill_the_screen_in_order() -> None:
    from wttui.ui.layout import wide_widths

    # Every least fits: the worktrees get their words, then the migrations their full width,
    # then the database; the rest goes to the migrations.
    assert wide_widths(120, [(45, 48), (31, 39), (39, 71)]) == [48, 31, 41]
    assert wide_widths(160, [(45, 48), (31, 39), (39, 71)]) == [48, 39, 73]
    assert wide_widths(200, [(45, 48), (31, 39), (39, 71)]) == [48, 39, 113]
    # A name that cannot be whole: the others keep their least, the worktrees the rest.
    assert wide_widths(120, [(80, 90), (35, 60), (40, 71)]) == [45, 35, 40]
    assert wide_widths(120, [(80, 90), (35, 60), None]) is None


@pytest.mark.parametrize(("size", "overflows"), [((100, 30), False), ((80, 20), True)])
async def test_the_migrations_keep_room_for_a_scrollbar_only_when_one_shows(
    size: tuple[int, int], overflows: bool
) -> None:
    """Without a scrollbar the Applied column reaches the pane's edge (it was cut 2 columns
    short, `2h ago · feat/pay…`, beside an empty strip)."""
    app, _ = app_with()
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await pilot.press("j", "j")  # feat/user-auth: four migrations
        await pilot.pause()
        table = app.query_one(MigrationsPane).table
        assert table.show_vertical_scrollbar is overflows
        assert not table.show_horizontal_scrollbar
        used = table.virtual_size.width
        assert used == table.scrollable_content_region.width or (overflows and used <= 30)
        if not overflows:
            rows = text_in(app, table.region)
            # `2d ago · feat/use…` in the 48 columns of the pane at 100×30 (was `feat/u…`).
            assert any(re.search(r"\d+[smhdw] ago · feat/use", row) for row in rows), rows


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
async def test_a_running_action_says_what_runs_in_its_row(size: tuple[int, int]) -> None:
    """`⟳ migrating` takes the row's migrations cell (cut to it if it must be): at 100×30
    the Branch column had no room for the word and the row showed `⟳` alone."""
    app, _ = app_with()
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        pane = app.query_one(WorktreesPane)
        width = pane.region.width
        pane.set_running(Path("/src/shop-worktrees/feat-payments"), "⟳ migrating")
        await pilot.pause()
        row = next(row for row in worktree_rows(app) if "feat/payments" in row)
        assert "feat/payments ●" in row, row
        assert re.search(r"⟳ migrat(ing|i…)", row), row
        assert "✓ 8 MiB" in row, row
        assert re.search(r"\b\d+[smhdw] *$", row), row
        assert pane.region.width == width  # the column has room for it: the panes stay
        pane.set_running(None)
        await pilot.pause()
        assert not any("⟳" in row for row in worktree_rows(app))


async def test_at_80x24_the_migrations_show_whole_under_the_database() -> None:
    """The Database pane takes the rows the migrations leave (its lines beyond scroll): at
    80×24 the Migrations pane listed three of feat/user-auth's four under a half-height
    Database pane; with fewer migrations the database gets the rows back."""
    app, _ = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "j")  # feat/user-auth: four migrations
        await pilot.pause()
        migrations = app.query_one(MigrationsPane)
        table = text_in(app, migrations.table.region)
        for name in ("create_users", "create_orders", "add_user_mfa", "create_sessions"):
            assert any(f" {name} " in row for row in table), table
        assert not migrations.table.show_vertical_scrollbar
        database = app.query_one(DatabasePane)
        shown = database.region.height
        assert shown >= 4
        assert any("database  shop_feat_user" in row for row in text_in(app, database.region))
        assert_no_overlap(app)
        await pilot.press("k", "k")  # main: two migrations
        await pilot.pause()
        assert database.region.height > shown
        assert_no_overlap(app)
