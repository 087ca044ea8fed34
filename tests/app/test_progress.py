"""While an action runs the app says so (issue 11, items 3 and 10): the worktree's row carries a
running mark, the Log pane's title says `running <action> · <step> · <n>s` with the seconds
ticking (a clock that exists only while the action runs), a long restore or clone shows a
progress bar, and `q` asks before it cancels the action and quits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Button, DataTable, ProgressBar

from tests import steps
from tests.app.conftest import job_done, loaded, log_text, screen_lines, text_in, wait_until
from tests.conftest import drop_project_databases
from tests.repo_factory import make_repo, run_sql
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState
from wttui.core.urls import with_database
from wttui.providers import pg_progress
from wttui.services import Services
from wttui.snapshot import read_view
from wttui.ui.app import WttuiApp, make_app
from wttui.ui.panes.log import LogPane
from wttui.ui.panes.worktrees import WorktreesPane
from wttui.ui.screens.confirm import ConfirmScreen
from wttui.ui.screens.pick import PickScreen

SLOW = (
    "-- migrate:up\nSELECT pg_sleep({seconds});\nCREATE TABLE slow (id int);\n"
    "-- migrate:down\nDROP TABLE slow;\n"
)
RUNNING = re.compile(r"running (?P<action>migrate feat/slow) · .*?(?P<seconds>\d+)s ")
ROWS = 300_000


def slow_worktree(repo: Path, seconds: int) -> Services:
    """feat/slow, provisioned, with a pending migration that takes `seconds`."""
    services = Services.from_path(repo)
    view = steps.create(services, "feat/slow", sink=ListSink(), cancel=CancelToken())
    (view.worktree.path / "migrations/003_slow.sql").write_text(SLOW.format(seconds=seconds))
    return services


def log_title(app: WttuiApp) -> str:
    """The Log pane's top border as the user sees it."""
    return next(line for line in screen_lines(app) if "4 Log" in line)


def row(app: WttuiApp, branch: str) -> str:
    """The Worktrees pane's row of `branch` as the user sees it."""
    pane = text_in(app, app.query_one(WorktreesPane).region)
    return next(line for line in pane if f" {branch} " in line)


def log_lines(app: WttuiApp) -> list[str]:
    """The Log pane as the user sees it."""
    return text_in(app, app.query_one(LogPane).region)


def seconds_shown(app: WttuiApp) -> int | None:
    found = RUNNING.search(log_title(app))
    return int(found["seconds"]) if found else None


async def select(pilot: object, app: WttuiApp, branch: str) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await wait_until(pilot, lambda: app.snapshot is not None and len(app.snapshot.views) > 1)
    labels = [view.worktree.label for view in app.snapshot.views]  # type: ignore[union-attr]
    for _ in range(labels.index(branch)):
        await pilot.press("j")
    await wait_until(
        pilot, lambda: app.selected is not None and app.selected.worktree.label == branch
    )


@pytest.mark.parametrize("size", [(110, 30), (80, 24)])
async def test_a_running_migration_marks_its_row_and_its_seconds_tick_in_the_log_title(
    repo: Path, size: tuple[int, int]
) -> None:
    services = slow_worktree(repo, 4)
    app = make_app(services)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await select(pilot, app, "feat/slow")
        assert not app.activity.ticking, "an idle app runs no clock"
        assert "running" not in log_title(app)
        await pilot.press("m")
        await wait_until(pilot, lambda: seconds_shown(app) is not None, 10, "running in the title")
        # What runs takes the row's migrations cell: its word at 80 columns too (cut there).
        assert "⟳ migrat" in row(app, "feat/slow"), row(app, "feat/slow")
        if size[0] >= 110:
            assert "⟳ migrating" in row(app, "feat/slow")
            # The migration running now is named while it runs, not only once it is done.
            await wait_until(
                pilot, lambda: "Applying 003_slow.sql" in log_title(app), 5, "the migration"
            )
            # The title follows the sink at once; the Log's lines come in batches after it.
            await wait_until(
                pilot,
                lambda: any("Applying 003_slow.sql …" in line for line in log_lines(app)),
                5,
                "the Applying line in the Log",
            )
            log = log_lines(app)
            assert not any("Applied 003_slow.sql" in line for line in log), log
        assert "⟳" not in row(app, "main")
        first = seconds_shown(app)
        assert first is not None
        await wait_until(
            pilot,
            lambda: (seconds_shown(app) or 0) > first,
            10,
            f"the seconds to tick past {first}",
        )
        await job_done(pilot)
        title = log_title(app)
        assert "running" not in title
        assert "✓ migrate feat/slow done in" in title
        assert "⟳" not in row(app, "feat/slow")
        assert not app.activity.ticking, "the clock stops with the action"
    assert read_view(services, "feat/slow").migrations[-1].state is MigrationState.APPLIED


async def test_q_while_a_migration_runs_asks_no_keeps_it_yes_cancels_then_quits(
    repo: Path,
) -> None:
    services = slow_worktree(repo, 60)
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await select(pilot, app, "feat/slow")
        await pilot.press("m")
        await wait_until(pilot, lambda: seconds_shown(app) is not None, 10, "running in the title")

        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        screen = "\n".join(screen_lines(app))
        assert "An action is running (migrate feat/slow): cancel it and quit?" in screen
        assert "Cancel and quit" in screen
        await wait_until(pilot, lambda: app.screen.query_one("#no", Button).has_focus)
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="no")
        await pilot.pause(0.5)
        assert app.is_running, "no keeps wttui running"
        assert app.jobs.busy, "no keeps the action running"

        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await wait_until(pilot, lambda: app.screen.query_one("#no", Button).has_focus)
        log = app.query_one(LogPane)
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, 30, "wttui to quit")
    assert app.jobs.current is None, "wttui quit before the action had stopped"
    said = log.text()  # what the log said last, kept by the pane after the app closed
    assert "cancelling migrate feat/slow: wttui quits once it has stopped" in said
    assert "✗ migrate feat/slow cancelled after" in said
    states = [m.state for m in read_view(services, "feat/slow").migrations]
    assert states == [MigrationState.APPLIED, MigrationState.APPLIED, MigrationState.PENDING]


@pytest.fixture
def dump_repo(tmp_path: Path, pg_admin_url: str) -> Iterator[Path]:
    """A repository whose snapshots are dump files and whose clones stream pg_dump|pg_restore,
    with no snapshot before a restore (so the restore is the step that runs)."""
    config = 'clone_method = "dump"\n\n[snapshots]\nmethod = "dump"\nbefore_destructive = false\n'
    root = make_repo(tmp_path, pg_admin_url, extra_config=config)  # after [database]'s url
    yield root
    drop_project_databases(pg_admin_url, root.name)


def big_worktree(services: Services, branch: str, rows: int = ROWS) -> str:
    """`branch` provisioned with `rows` users (a restore or a copy takes a second or more)."""
    steps.create(services, branch, sink=ListSink(), cancel=CancelToken())
    name = f"{services.project}_{branch.replace('/', '__')}"
    run_sql(
        with_database(services.server.admin_url(), name),
        # md5s: data a dump cannot squeeze to nothing, so reading it back takes a while.
        "INSERT INTO users (email) SELECT md5(g::text) || md5((-g)::text) || '@example.com' "
        f"FROM generate_series(1, {rows}) g",
        "ANALYZE users",
    )
    return name


def bar_words(app: WttuiApp, label: str) -> str | None:
    """The progress line's words (`pg_restore: 42% (…)`) when the bar is on screen."""
    if not app.query(ProgressBar):
        return None
    pattern = re.compile(rf"{label}: \d+% \([\d.]+ \w+ of [\d.]+ \w+\)")
    for line in screen_lines(app):
        found = pattern.search(line)
        if found and "━" in line:
            return found.group()
    return None


async def test_a_long_restore_shows_a_progress_bar_of_the_dump_file(dump_repo: Path) -> None:
    from wttui import plans_lifecycle
    from wttui.actions.snapshot import snapshot

    services = Services.from_path(dump_repo)
    name = big_worktree(services, "feat/big", rows=3 * ROWS)  # about 40 MiB of dump to feed
    plan = plans_lifecycle.plan_snapshot(services, "feat/big", name="big")
    snapshot(services, plan, sink=ListSink(), cancel=CancelToken())
    app = make_app(services)
    async with app.run_test(size=(110, 30)) as pilot:
        await loaded(pilot)
        await select(pilot, app, "feat/big")
        assert not app.query(ProgressBar), "no bar while idle"
        await pilot.press("V")
        await wait_until(pilot, lambda: isinstance(app.screen, PickScreen), what="the list")
        assert app.screen.query_one(DataTable).row_count == 1
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await wait_until(pilot, lambda: app.screen.query("#typed").first().has_focus)
        await pilot.press(*name, "enter")
        await wait_until(
            pilot, lambda: bar_words(app, "pg_restore") is not None, 30, "the restore's bar"
        )
        assert "running restore feat/big from big" in log_title(app)
        assert "⟳ restoring" in row(app, "feat/big")
        await job_done(pilot, timeout=60)
        assert "restored from big" in log_text(app)
        assert bar_words(app, "pg_restore") is None
        assert not app.query(ProgressBar), "the bar (and its timer) goes with the step"
        assert "✓ restore feat/big from big done" in log_title(app)


async def test_a_long_clone_shows_a_progress_bar_of_the_data_read(
    dump_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Measured every 50 ms rather than every 0.5 s: the copy takes a second or two here.
    monkeypatch.setattr(pg_progress, "POLL_SECONDS", 0.05)
    services = Services.from_path(dump_repo)
    big_worktree(services, "feat/a")
    steps.create(services, "feat/b", sink=ListSink(), cancel=CancelToken())
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await select(pilot, app, "feat/b")
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, PickScreen), what="the picker")
        table = app.screen.query_one(DataTable)
        rows = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        for _ in range(rows.index("feat/a")):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await wait_until(pilot, lambda: app.screen.query("#typed").first().has_focus)
        await pilot.press(*f"{services.project}_feat__b", "enter")
        await wait_until(pilot, lambda: bar_words(app, "pg_dump") is not None, 30, "the bar")
        assert "⟳" in row(app, "feat/b")
        await job_done(pilot, timeout=60)
        assert "now holds a copy" in log_text(app)
        assert not app.query(ProgressBar)
