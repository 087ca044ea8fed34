"""A new user's walkthrough (issue: app defects): what the panes and dialogs show, in real
repositories on the real server."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widget import Widget
from textual.widgets import OptionList, Static

from tests import steps
from tests.app.conftest import loaded, screen_lines, text_in, wait_until
from tests.app.test_app import provisioned
from wttui import actions, plans_create
from wttui.core.disk import project_disk_bytes
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import RepoSnapshot
from wttui.snapshot import Reader
from wttui.ui import format as fmt
from wttui.ui.app import make_app
from wttui.ui.panes.database import DatabasePane
from wttui.ui.panes.log import LogPane
from wttui.ui.panes.migrations import MigrationsPane
from wttui.ui.panes.worktrees import WorktreesPane
from wttui.ui.screens.inspect import InspectScreen
from wttui.ui.screens.pick import PickScreen

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


def pane_text(pane: Widget) -> str:
    """The pane's words as on screen, wraps joined."""
    return " ".join(" ".join(text_in(pane.app, pane.region)).split())


async def test_relative_times_move_on_with_the_refresh_tick(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(provisioned(repo, "feat/t"))
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j")
        await pilot.pause()
        pane = app.query_one(MigrationsPane)
        assert re.search(r"\b\d+s ago", pane_text(pane))
        later = datetime.now(UTC) + timedelta(minutes=3)
        monkeypatch.setattr(fmt, "now", lambda: later)
        app.refresher.request()  # what the safety-net tick does: nothing changed on disk
        await wait_until(pilot, lambda: "3m ago" in pane_text(pane), what="the new age")
        assert not re.search(r"\b\d+s ago", pane_text(pane))


async def test_the_project_total_follows_a_new_database_without_moving(repo: Path) -> None:
    services = provisioned(repo, "feat/a")
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j")
        await pilot.pause()
        pane = app.query_one(DatabasePane)
        before = app.snapshot
        assert before is not None
        # In the pane's border: `project 23 MiB on disk`.
        assert f"project {fmt.size(project_disk_bytes(before.views))} on disk" in pane_text(pane)
        steps.create(services, "feat/b", sink=ListSink(), cancel=CancelToken())
        app.refresher.request(full=True)  # what R does
        await wait_until(pilot, lambda: len(app.snapshot.views) == 3, what="feat/b")  # type: ignore[union-attr]
        await pilot.pause()
        total = fmt.size(project_disk_bytes(app.snapshot.views))  # type: ignore[union-attr]
        assert total != fmt.size(project_disk_bytes(before.views))
        assert f"project {total} on disk" in pane_text(pane)


async def test_the_database_pane_says_loading_until_the_list_is_read(repo: Path) -> None:
    services = provisioned(repo)
    gate = threading.Event()
    reader = Reader(services).read

    def slow(**kwargs: Any) -> RepoSnapshot:
        gate.wait(10)
        return reader(**kwargs)

    app = make_app(services, read=slow)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        text = pane_text(app.query_one(DatabasePane))
        assert "loading" in text
        assert "no worktree selected" not in text
        gate.set()
        await loaded(pilot)
        await wait_until(
            pilot, lambda: "database" in pane_text(app.query_one(DatabasePane)), what="main"
        )


async def test_the_database_pane_scrolls_to_its_last_rows_at_80x24(repo: Path) -> None:
    app = make_app(provisioned(repo, "feat/a"))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("j")
        await pilot.pause()
        pane = app.query_one(DatabasePane)
        assert "env" in pane.text
        assert "url" in pane.text
        if "url" not in pane_text(pane):  # cut off: a scrollbar says there is more…
            assert pane.show_vertical_scrollbar
            await pilot.press("2", *["j"] * 8)  # …and j brings it on screen
            await pilot.pause()
        shown = pane_text(pane)
        assert "env .env" in shown
        assert "url postgresql://" in shown


async def test_the_create_dialog_shows_the_env_value_at_60x24(repo: Path) -> None:
    services = provisioned(repo)
    app = make_app(services)
    async with app.run_test(size=(60, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("c", *"feat/new-thing")
        await wait_until(
            pilot, lambda: "DATABASE_URL=" in str(app.screen.query_one("#plan", Static).render())
        )
        await pilot.pause()
        shown = "".join("".join(screen_lines(app)).split())
        assert ".envset" in shown
        assert "DATABASE_URL=postgresql://postgres:***@" in shown
        assert f"{services.project}_feat__new_thing" in shown.split("DATABASE_URL=", 1)[1]


async def test_the_clone_picker_offers_only_worktrees_with_a_database(repo: Path) -> None:
    services = provisioned(repo, "feat/a", "feat/b")
    plan = plans_create.plan_create(services, "epic/nodb", no_db=True)
    actions.create(services, plan, sink=ListSink(), cancel=CancelToken())
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await wait_until(pilot, lambda: len(app.snapshot.views) == 4 if app.snapshot else False)
        labels = [v.worktree.label for v in app.snapshot.views]  # type: ignore[union-attr]
        for _ in range(labels.index("feat/b")):
            await pilot.press("j")
        await wait_until(
            pilot, lambda: app.selected is not None and app.selected.worktree.label == "feat/b"
        )
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, PickScreen), what="the picker")
        await pilot.pause()
        rows = text_in(app, app.screen.query_one(".dialog").region)
        offered = [row for row in rows if "_feat__" in row or "epic/nodb" in row or "main" in row]
        assert any("feat/a" in row for row in offered)
        assert not any("epic/nodb" in row for row in offered)  # strategy none: no database
        assert not any(" main " in row for row in offered)  # its database is missing


async def test_without_colour_the_list_says_its_states_in_words(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    services = provisioned(repo, "feat/p")
    (services.resolve("feat/p").path / "migrations/003_p.sql").write_text("SELECT 1;\n")
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        rows = text_in(app, app.query_one(WorktreesPane).table.region)
        row = next(row for row in rows if "feat/p" in row)
        assert "✓2 ⋯1 pending" in row
        await pilot.press("question_mark")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        listed = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        for glyph in ("⋯", "≠", "✗", "⚠"):
            assert any(line.startswith(glyph) and len(line.split()) > 1 for line in listed), glyph


async def test_inspect_titles_the_table_shown_and_a_no_db_worktree_says_so(repo: Path) -> None:
    services = provisioned(repo, "feat/look")
    plan = plans_create.plan_create(services, "epic/nodb", no_db=True)
    actions.create(services, plan, sink=ListSink(), cancel=CancelToken())
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await wait_until(pilot, lambda: len(app.snapshot.views) == 3 if app.snapshot else False)
        labels = [v.worktree.label for v in app.snapshot.views]  # type: ignore[union-attr]
        for _ in range(labels.index("epic/nodb")):
            await pilot.press("j")
        await wait_until(
            pilot, lambda: app.selected is not None and app.selected.worktree.label == "epic/nodb"
        )
        await pilot.pause()
        assert "migrations never run here" in pane_text(app.query_one(MigrationsPane))
        await pilot.press("g")
        for _ in range(labels.index("feat/look")):
            await pilot.press("j")
        await wait_until(
            pilot, lambda: app.selected is not None and app.selected.worktree.label == "feat/look"
        )
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, InspectScreen), what="inspect")
        title = app.screen.query_one(".dialog-title", Static)
        listed = str(title.render())
        await pilot.press("j", "enter")  # users, after orders
        await wait_until(
            pilot, lambda: "email" in str(app.screen.query_one("#detail", Static).render())
        )
        shown = str(title.render())
        assert shown != listed
        assert "users" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert str(title.render()) == listed
