"""The lifecycle keys in the app on a real repository and server: `S` snapshot, `V` its list
(enter restores), `d` then `z` undo, `T` the trash, `C` clone with the typed name."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from tests import steps
from tests.app.conftest import job_done, loaded, log_text, wait_until
from tests.repo_factory import run_sql, tables
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.urls import with_database
from wttui.services import Services
from wttui.ui.app import make_app
from wttui.ui.screens.confirm import ConfirmScreen
from wttui.ui.screens.pick import PickScreen
from wttui.ui.screens.remove import RemoveScreen


def provisioned(repo: Path, *branches: str) -> Services:
    services = Services.from_path(repo)
    for branch in branches:
        steps.create(services, branch, sink=ListSink(), cancel=CancelToken())
    return services


def _emails(services: Services, branch: str) -> list[str]:
    import psycopg

    url = with_database(services.server.admin_url(), f"{services.project}_{branch}")
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute("SELECT email FROM users ORDER BY id")]


async def test_snapshot_then_restore_from_the_list(repo: Path) -> None:
    services = provisioned(repo, "feat/snap")
    url = with_database(services.server.admin_url(), f"{services.project}_feat__snap")
    run_sql(url, "INSERT INTO users (email) VALUES ('keep@x')")
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "S")
        await wait_until(pilot, lambda: "taken (template)" in log_text(app), 60, "the snapshot")
        await job_done(pilot)
        run_sql(url, "DELETE FROM users")
        await pilot.press("V")
        await wait_until(pilot, lambda: isinstance(app.screen, PickScreen), what="the list")
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        # At 80 columns what tells snapshots apart is on screen, unscrolled: name, age,
        # migration and why (size and method may need a scroll).
        labels = [str(column.label) for column in table.ordered_columns]
        assert labels[:4] == ["NAME", "AGE", "MIGRATION", "WHY"]
        shown = sum(column.get_render_width(table) for column in table.ordered_columns[:4])
        assert shown <= table.scrollable_content_region.width
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await wait_until(pilot, lambda: app.screen.query("#typed").first().has_focus)
        await pilot.press(*f"{services.project}_feat__snap", "enter")
        await wait_until(pilot, lambda: "restored from" in log_text(app), 60, "the restore")
        await job_done(pilot)
    assert _emails(services, "feat__snap") == ["keep@x"]


async def test_remove_then_z_brings_it_back_and_t_lists_the_trash(repo: Path) -> None:
    services = provisioned(repo, "feat/bye")
    name = f"{services.project}_feat__bye"
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "d")
        await wait_until(pilot, lambda: isinstance(app.screen, RemoveScreen), what="remove")
        await wait_until(pilot, lambda: app.screen.query("#typed").first().has_focus)
        await pilot.press(*name, "enter")
        await wait_until(pilot, lambda: "Removed feat/bye" in log_text(app), 60, "the remove")
        await job_done(pilot)
        await pilot.press("T")
        await wait_until(pilot, lambda: isinstance(app.screen, PickScreen), what="the trash")
        assert app.screen.query_one(DataTable).row_count == 1
        await pilot.press("escape")
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm")
        await pilot.press("y")
        await wait_until(pilot, lambda: "is back with worktree" in log_text(app), 60, "the undo")
        await job_done(pilot)
    assert services.git.find_worktree("feat/bye") is not None
    assert "users" in tables(with_database(services.server.admin_url(), name))


async def test_c_clones_another_worktrees_data_after_the_typed_name(repo: Path) -> None:
    services = provisioned(repo, "feat/a", "feat/b")
    url_a = with_database(services.server.admin_url(), f"{services.project}_feat__a")
    run_sql(url_a, "INSERT INTO users (email) VALUES ('from-a@x')")
    app = make_app(services)
    async with app.run_test(size=(60, 24)) as pilot:
        await loaded(pilot)
        await wait_until(pilot, lambda: len(app.snapshot.views) == 3 if app.snapshot else False)
        labels = [v.worktree.label for v in app.snapshot.views]  # type: ignore[union-attr]
        for _ in range(labels.index("feat/b")):
            await pilot.press("j")
        await wait_until(
            pilot, lambda: app.selected is not None and app.selected.worktree.label == "feat/b"
        )
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
        await wait_until(pilot, lambda: "now holds a copy" in log_text(app), 60, "the clone")
        await job_done(pilot)
    assert _emails(services, "feat__b") == ["from-a@x"]
