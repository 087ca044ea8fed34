"""A new user's walkthrough (issue: app defects): what the panes and dialogs show, in real
repositories on the real server."""

from __future__ import annotations

from pathlib import Path

from tests.app.conftest import loaded, screen_lines, text_in
from tests.app.test_app import provisioned
from wttui.ui.app import make_app
from wttui.ui.panes.log import LogPane
from wttui.ui.panes.migrations import MigrationsPane
from wttui.ui.panes.worktrees import WorktreesPane

PARTIAL_CELLS = set("▏▎▍▌▋▊▉")
"""The glyphs a horizontal scrollbar's thumb ends in: a stray one marked the Log's bottom row."""


def log_lines(count: int) -> list[tuple[str, str]]:
    """Long lines of words that do not break (hashes, names) so a lost character shows."""
    return [
        (
            "out",
            f"L{i:02d}: migrate proj_1234_add_stripe_webhook_retry_queue "
            f"sha---de10e8df{i:02d}--{'x' * (40 + i)}--:E{i:02d}",
        )
        for i in range(count)
    ]


def assert_whole_lines_on_screen(pane: LogPane, lines: list[tuple[str, str]]) -> int:
    """Every line whose start is on screen is there to its last character; returns how many."""
    rows = text_in(pane.app, pane.view.region)
    joined = "".join("".join(row.split()) for row in rows)  # a wrap eats the space it is at
    shown = 0
    for _stream, text in lines:
        if text[:4] in joined:
            assert "".join(text.split()) in joined, f"{text!r} lost characters: {rows}"
            shown += 1
    for row in rows:
        assert not PARTIAL_CELLS & set(row), f"stray scrollbar mark in {row!r}"
    return shown


async def test_the_log_keeps_every_character_once_its_scrollbar_shows(repo: Path) -> None:
    app = make_app(provisioned(repo))
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        pane = app.query_one(LogPane)
        lines = log_lines(12)
        pane.write_lines(lines[:2])  # no scrollbar yet: wrapped at the full width
        await pilot.pause()
        pane.write_lines(lines[2:])  # now the view overflows and the scrollbar shows
        await pilot.pause()
        assert pane.view.max_scroll_y > 0
        assert assert_whole_lines_on_screen(pane, lines) >= 1
        await pilot.press("4", "4")  # zoomed: taller, every line there
        await pilot.pause()
        pane.view.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert assert_whole_lines_on_screen(pane, lines) >= 5
        await pilot.resize_terminal(60, 24)  # narrower: wrapped again, nothing cropped
        await pilot.pause()
        pane.view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert assert_whole_lines_on_screen(pane, lines) >= 1
        assert not PARTIAL_CELLS & set("".join(screen_lines(app)))


async def test_a_migration_read_that_failed_says_why_and_counts_nothing(repo: Path) -> None:
    services = provisioned(repo, "feat/bad")
    folder = services.resolve("feat/bad").path / "migrations"
    (folder / "003_bad.sql").write_text("-- migrate:down\nDROP TABLE users;\n")
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j")
        await pilot.pause()
        rows = text_in(app, app.query_one(WorktreesPane).table.region)
        row = next(row for row in rows if "feat/bad" in row)
        assert "⚠" in row
        assert "✓0" not in row  # nothing was read: no tick, no count
        assert "unread" in row
        pane = app.query_one(MigrationsPane)
        notes = pane.query_one("#migration-notes").region
        shown = " ".join(" ".join(text_in(app, notes)).split())
        assert "migrations not read" in shown
        assert "003_bad.sql has a -- migrate:down section" in shown
