"""The app on a real repository and a real server, driven by keys as a user would."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.widgets import Button, Input, OptionList

from tests import steps
from tests.app.conftest import job_done, loaded, log_text, wait_until
from tests.repo_factory import git, unreachable_services
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState
from wttui.core.urls import url_parts
from wttui.services import Services
from wttui.snapshot import read_view
from wttui.ui import refresh
from wttui.ui.app import make_app
from wttui.ui.commands import ACTIONS
from wttui.ui.panes.database import DatabasePane
from wttui.ui.panes.migrations import MigrationsPane
from wttui.ui.panes.worktrees import WorktreesPane
from wttui.ui.screens.create import CreateScreen
from wttui.ui.screens.help import HelpScreen
from wttui.ui.screens.remove import RemoveScreen


def provisioned(repo: Path, *branches: str) -> Services:
    services = Services.from_path(repo)
    for branch in branches:
        steps.create(services, branch, sink=ListSink(), cancel=CancelToken())
    return services


def labels(app: object) -> list[str]:
    pane = app.query_one(WorktreesPane)  # type: ignore[attr-defined]
    return [view.worktree.label for view in pane._views.values()]


async def test_lists_worktrees_and_shows_the_selected_database(
    repo: Path, pg_admin_url: str
) -> None:
    services = provisioned(repo, "feat/shown")
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert labels(app) == ["main", "feat/shown"]
        await pilot.press("j")
        await pilot.pause()
        text = "".join(app.query_one(DatabasePane).text.split())  # the URL wraps anywhere
        assert f"{services.project}_feat__shown" in text
        assert ":***@" in text
        assert url_parts(pg_admin_url)["password"] not in text
        migrations = app.query_one(MigrationsPane)
        assert migrations.table.row_count == 2
        assert str(migrations.border_subtitle).endswith("· sql")  # the tool in force


async def test_create_from_the_dialog(repo: Path) -> None:
    services = provisioned(repo)
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("c")
        assert isinstance(app.screen, CreateScreen)
        await pilot.press(*"feat/tui")
        button = app.screen.query_one("#create", Button)
        await wait_until(pilot, lambda: not button.disabled, what="the plan")
        assert f"{services.project}_feat__tui" in str(app.screen.query_one("#plan").render())
        await pilot.press("enter")
        await job_done(pilot)
        assert "✓ create feat/tui done" in log_text(app)
        assert services.server.provider().database_exists(f"{services.project}_feat__tui")
        await wait_until(pilot, lambda: "feat/tui" in labels(app), what="the new row")
        # The new worktree is the selected one, ready for its next key.
        await wait_until(
            pilot,
            lambda: app.selected is not None and app.selected.worktree.label == "feat/tui",
            what="the new worktree selected",
        )


async def test_invalid_branch_is_explained_and_nothing_is_created(repo: Path) -> None:
    services = provisioned(repo)
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("c")
        await pilot.press(*"bad name")
        plan = app.screen.query_one("#plan")
        await wait_until(pilot, lambda: "Invalid branch name" in str(plan.render()))
        assert app.screen.query_one("#create", Button).disabled
        await pilot.press("enter")
        await pilot.press("escape")
        assert not app.jobs.busy
        assert len(services.git.list_worktrees()) == 1


async def test_migrate_key_applies_pending_migrations(repo: Path) -> None:
    services = provisioned(repo, "feat/m")
    path = services.resolve("feat/m").path
    (path / "migrations/003_more.sql").write_text("CREATE TABLE more (id int);\n")
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "m")
        await job_done(pilot)
        assert "003_more.sql" in log_text(app)
        await wait_until(
            pilot,
            lambda: app.selected is not None and app.selected.counts.applied == 3,
            what="the refreshed migrations",
        )
        assert app.query_one(MigrationsPane).table.row_count == 3


async def test_remove_needs_the_database_name_typed(repo: Path) -> None:
    services = provisioned(repo, "feat/bye", "feat/last")
    name = f"{services.project}_feat__bye"
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "d")
        await wait_until(pilot, lambda: isinstance(app.screen, RemoveScreen), what="the dialog")
        confirm = app.screen.query_one("#confirm", Button)
        assert name in str(app.screen.query_one(".dialog-body").render())
        await pilot.press(*"wrong")
        assert confirm.disabled
        await pilot.press("enter")
        assert isinstance(app.screen, RemoveScreen)
        await wait_until(  # Enter on a wrong name says why nothing happened
            pilot, lambda: any("exactly to confirm" in str(n.message) for n in app._notifications)
        )
        app.screen.query_one("#typed", Input).value = ""
        await pilot.press(*name)
        assert not confirm.disabled
        await pilot.press("enter")
        await job_done(pilot)
        assert not services.server.provider().database_exists(name), log_text(app)
        assert services.git.find_worktree("feat/bye") is None
        # The cursor goes to the row that took its place (here the last one), not to the top.
        await wait_until(pilot, lambda: "feat/bye" not in labels(app), what="the row gone")
        assert app.selected is not None
        assert app.selected.worktree.label == "feat/last", labels(app)


async def test_a_running_action_can_be_cancelled_and_the_app_stays_usable(repo: Path) -> None:
    services = provisioned(repo, "feat/slow")
    path = services.resolve("feat/slow").path
    (path / "migrations/003_slow.sql").write_text("SELECT pg_sleep(30);\n")
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "m")
        await pilot.pause(0.5)
        assert app.jobs.busy
        table = app.query_one(WorktreesPane).table
        await pilot.press("k")
        assert table.cursor_row == 0  # keys are handled while the action runs
        await pilot.press("x")
        await job_done(pilot, timeout=10)
        assert "cancelled" in log_text(app)
        states = [m.state for m in read_view(services, "feat/slow").migrations]
        assert states[-1] is MigrationState.PENDING


async def test_narrow_terminal_stacks_the_panes(repo: Path) -> None:
    app = make_app(provisioned(repo))
    async with app.run_test(size=(60, 24)) as pilot:
        await loaded(pilot)
        worktrees = app.query_one(WorktreesPane).region
        migrations = app.query_one(MigrationsPane).region
        assert worktrees.x == migrations.x
        assert worktrees.width == migrations.width == 60
        assert migrations.y > worktrees.y
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert app.query_one(MigrationsPane).region.x > app.query_one(WorktreesPane).region.x


async def test_help_lists_every_binding_and_runs_the_chosen_one(repo: Path) -> None:
    services = provisioned(repo, "feat/h")
    (services.resolve("feat/h").path / "migrations/003_h.sql").write_text("SELECT 1;\n")
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        options = app.screen.query_one(OptionList)
        listed = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        for info in ACTIONS:
            assert any(line.startswith(info.keys or "(palette)") for line in listed), info
        assert any(line.startswith("ctrl+p") for line in listed)
        await pilot.press(*"apply pending")
        assert options.option_count == 2  # its pane, and the key
        await pilot.press("enter")
        await job_done(pilot)
        assert "003_h.sql" in log_text(app)


async def test_selection_survives_a_refresh(repo: Path) -> None:
    app = make_app(provisioned(repo, "feat/a", "feat/b"))
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "j")
        chosen = app.selected
        assert chosen is not None
        generation = app.refresher.generation
        await pilot.press("R")
        await wait_until(pilot, lambda: app.refresher.generation > generation)
        await pilot.pause(0.5)
        assert app.selected is not None
        assert app.selected.worktree.path == chosen.worktree.path


async def test_server_down_is_a_badge_not_a_modal(repo: Path) -> None:
    app = make_app(unreachable_services(repo))
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        pane = app.query_one(WorktreesPane)
        assert labels(app) == ["main"]
        assert "server unreachable" in str(pane.border_subtitle)
        assert app.screen is app.screen_stack[0]


async def test_changes_made_outside_the_app_show_up_without_a_key(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The watcher: `git worktree add` in another terminal, a new migration file."""
    monkeypatch.setattr(refresh, "PERIOD_SECONDS", 3600.0)  # only the watcher can refresh
    services = provisioned(repo, "feat/w")
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        git(repo, "worktree", "add", "-q", "-b", "feat/outside", str(repo.parent / "outside"))
        await wait_until(pilot, lambda: "feat/outside" in labels(app), 20, "the new worktree")

        migrations = services.resolve("feat/w").path / "migrations"
        (migrations / "003_new.sql").write_text("SELECT 1;\n")
        pane = app.query_one(WorktreesPane)

        def pending_shown() -> bool:
            views = [v for v in pane._views.values() if v.worktree.label == "feat/w"]
            return bool(views) and views[0].counts.pending == 1

        await wait_until(pilot, pending_shown, 20, "the new migration as pending")


async def test_a_change_while_the_watcher_rearms_is_not_lost(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A migration written just as another worktree is added, while the watcher that now
    includes the new worktree is still arming (slow here, as on a loaded machine): the old
    watcher, still running, sees it."""
    monkeypatch.setattr(refresh, "PERIOD_SECONDS", 3600.0)  # only the watchers can refresh
    real_watch = refresh.watch
    watches: list[int] = []

    def slow_to_arm(*args: object, **kwargs: object) -> None:
        watches.append(1)
        if len(watches) > 1:  # the first watcher arms at once, the next ones late
            time.sleep(2.0)
        real_watch(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(refresh, "watch", slow_to_arm)
    services = provisioned(repo, "feat/w")
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.pause(1.5)  # the first watcher armed
        git(repo, "worktree", "add", "-q", "-b", "feat/outside", str(repo.parent / "outside"))
        await wait_until(pilot, lambda: len(watches) > 1, 20, "the watcher to be replaced")
        migrations = services.resolve("feat/w").path / "migrations"
        (migrations / "003_new.sql").write_text("SELECT 1;\n")
        pane = app.query_one(WorktreesPane)

        def pending_shown() -> bool:
            views = [v for v in pane._views.values() if v.worktree.label == "feat/w"]
            return bool(views) and views[0].counts.pending == 1

        await wait_until(pilot, pending_shown, 10, "the new migration as pending")


async def test_out_of_order_migration_is_said_in_the_pane(repo: Path) -> None:
    services = provisioned(repo, "feat/late")
    migrations = services.resolve("feat/late").path / "migrations"
    (migrations / "0000_merged_late.sql").write_text("SELECT 1;\n")
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "enter", "g")
        await pilot.pause()
        table = app.query_one(MigrationsPane).table
        cells = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "⋯ out of order" in cells


async def test_roll_back_without_a_down_migration_is_not_offered(repo: Path) -> None:
    services = provisioned(repo, "feat/nd")
    path = services.resolve("feat/nd").path
    (path / "migrations/003_no_down.sql").write_text("CREATE TABLE nd (id int);\n")
    steps.migrate(services, "feat/nd", sink=ListSink(), cancel=CancelToken())
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "b")

        def refused() -> bool:
            return any(
                "003_no_down" in n.message and "no down" in n.message for n in app._notifications
            )

        await wait_until(pilot, refused, what="the refusal")
        assert app.screen is app.screen_stack[0]  # no confirmation was opened
        assert not app.jobs.busy
