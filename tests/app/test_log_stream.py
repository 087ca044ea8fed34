"""A long action's output in the Log pane: bounded, followed, wrapped, and cheap per batch (P5).

The timing itself (keys answer within 50 ms while 10 000 lines stream) is `bench/`'s; these
tests hold the mechanisms that make it so. They use the hand-made snapshot of `test_keys.py`:
the Log pane never touches a provider.
"""

from __future__ import annotations

from tests.app.conftest import loaded, text_in
from tests.app.fake_services import fake_app
from wttui.ui.panes.database import DatabasePane
from wttui.ui.panes.log import LogPane
from wttui.ui.panes.log_view import MAX_LINES
from wttui.ui.panes.migrations import MigrationsPane

BATCH = 1000


def batch(start: int, count: int = BATCH) -> list[tuple[str, str]]:
    return [("out", f"line {n} of a long migration") for n in range(start, start + count)]


async def test_a_long_stream_keeps_the_newest_lines_and_follows_them() -> None:
    app = fake_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        log = app.query_one(LogPane)
        total = 12 * BATCH
        for start in range(0, total, BATCH):
            log.write_lines(batch(start))
            await pilot.pause()
        assert len(log.lines) == MAX_LINES
        assert log.lines[0].text.strip() == f"line {total - MAX_LINES} of a long migration"
        # What is kept to wrap again is bounded in lines too, not in batches.
        assert len(log.view._entries) == MAX_LINES
        assert len(log.text().splitlines()) == MAX_LINES
        shown = "".join(text_in(app, log.region))
        assert f"line {total - 1} of a long migration" in shown
        bar = log.view.vertical_scrollbar
        assert log.view.scroll_y == log.view.max_scroll_y  # following
        assert bar.window_virtual_size == len(log.lines)

        await pilot.resize_terminal(70, 24)  # wrapped again: the same newest lines
        await pilot.pause()
        assert len(log.lines) == MAX_LINES
        assert log.lines[-1].text.strip() == f"line {total - 1} of a long migration"
        assert f"line {total - 1}" in "".join(text_in(app, log.region))


async def test_a_batch_once_the_scrollbar_shows_does_not_lay_out_the_screen() -> None:
    app = fake_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        log = app.query_one(LogPane)
        log.write_lines(batch(0, 50))
        await pilot.pause()
        assert log.view.show_vertical_scrollbar
        before = log.view.virtual_size.height
        log.write_lines(batch(50, 300))
        # One update for the whole batch, and only the view's: the other panes' layout
        # cannot change with the log's length.
        assert log.view.virtual_size.height == before + 300
        assert not app.screen._layout_required
        await pilot.pause()
        assert "line 349 of a long migration" in "".join(text_in(app, log.region))
        assert log.view.vertical_scrollbar.window_virtual_size == before + 300


async def test_lines_that_do_not_fit_or_hold_tabs_are_wrapped_whole() -> None:
    app = fake_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        log = app.query_one(LogPane)
        width = log.view.scrollable_content_region.width
        long = "x" * (width * 2 + 5)
        log.write_lines([("out", "short"), ("err", long), ("out", "a\tb"), ("step", "done")])
        await pilot.pause()
        texts = [line.text for line in log.lines]
        first = texts.index("    short")
        wrapped, (tab, step) = texts[first + 1 : -2], texts[-2:]
        assert len(wrapped) >= 3  # as Rich wraps it: the mark, then the word folded
        assert "".join(wrapped).replace(" ", "") == "!" + long
        assert tab.rstrip() == "    a   b"  # the tab expanded, as Rich does
        assert step == "==> done"
        assert all(line.cell_length <= width for line in log.lines)


async def test_a_new_selection_builds_the_migrations_table_once() -> None:
    app = fake_app()
    async with app.run_test(size=(90, 30)) as pilot:  # URLs wrap onto more or fewer lines
        await loaded(pilot)
        migrations = app.query_one(MigrationsPane)
        database = app.query_one(DatabasePane)
        heights = set()
        builds: list[str] = []
        clear = migrations.table.clear

        def counted(columns: bool = False) -> object:
            builds.append("clear")
            return clear(columns)

        migrations.table.clear = counted  # type: ignore[method-assign]
        for key in "jjkk":
            builds.clear()
            await pilot.press(key)
            await pilot.pause()
            heights.add(database.size.height)
            assert builds == ["clear"], f"{key}: built {len(builds)} times"
        # The Database pane's height changed with the selection: the Migrations pane below
        # was resized, and did not build its table again for it.
        assert len(heights) > 1
