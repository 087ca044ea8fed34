"""Issue 10 in the app: `c` syncs an incomplete worktree, `X` orphans, `H` doctor, `i` inspect,
`y`/`Y` copy, `q` leaves the selection for the shell function — driven with Pilot against the
real repository and server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.conftest import job_done, loaded, log_text, wait_until
from tests.repo_factory import git
from tests.steps import create
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.shell import CD_FILE
from wttui.services import Services
from wttui.ui.app import make_app
from wttui.ui.panes.worktrees import WorktreesPane
from wttui.ui.screens.confirm import ConfirmScreen
from wttui.ui.screens.create import CreateScreen
from wttui.ui.screens.inspect import InspectScreen
from wttui.ui.screens.report import ReportScreen


def _body(app: object, selector: str = "#report-body") -> str:
    """The text of a widget on the top screen, '' until it is mounted."""
    found = app.screen.query(selector)  # type: ignore[attr-defined]
    return str(found.first().render()) if found else ""


def _select(app: object, label: str) -> None:
    pane = app.query_one(WorktreesPane)  # type: ignore[attr-defined]
    keys = list(pane._views)
    index = next(i for i, key in enumerate(keys) if pane._views[key].worktree.label == label)
    pane.table.move_cursor(row=index)


async def test_c_on_a_plain_git_worktree_syncs_it(repo: Path) -> None:
    git(repo, "worktree", "add", "-q", "-b", "feat/plain", str(repo.parent / "plain"))
    services = Services.from_path(repo)
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        _select(app, "feat/plain")
        await pilot.press("c")
        assert isinstance(app.screen, CreateScreen)
        plan = app.screen.query_one("#plan")
        await wait_until(pilot, lambda: "apply its migrations" in str(plan.render()), what="plan")
        await pilot.press("enter")
        await job_done(pilot)
        assert "✓ sync feat/plain done" in log_text(app)
    assert services.server.provider().database_exists(f"{services.project}_feat__plain")


async def test_x_shows_orphans_and_cleans_them_after_the_typed_name(repo: Path) -> None:
    services = Services.from_path(repo)
    view = create(services, "feat/gone", sink=ListSink(), cancel=CancelToken())
    git(repo, "worktree", "remove", "--force", str(view.worktree.path))
    name = f"{services.project}_feat__gone"
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("X")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="orphans")
        await wait_until(pilot, lambda: name in _body(app), what="the orphan listed")
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="preview")
        await wait_until(pilot, lambda: f"drop database {name}" in _body(app, ".dialog-body"))
        await pilot.press(*services.project, "enter")
        await job_done(pilot)
    assert not services.server.provider().database_exists(name)


async def test_h_shows_the_doctor_and_i_inspects(repo: Path) -> None:
    services = Services.from_path(repo)
    create(services, "feat/look", sink=ListSink(), cancel=CancelToken())
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("H")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen), what="doctor")
        await wait_until(pilot, lambda: "server" in _body(app), what="the checks")
        assert "[feat/look] .env matches the plan" in _body(app)
        await pilot.press("escape")
        _select(app, "feat/look")
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, InspectScreen), what="inspect")
        await pilot.press("j", "enter")  # users, after orders
        await wait_until(pilot, lambda: "email" in _body(app, "#detail"), what="columns")


async def test_y_and_Y_copy_the_path_and_the_masked_url(repo: Path) -> None:  # noqa: N802
    services = Services.from_path(repo)
    view = create(services, "feat/copy", sink=ListSink(), cancel=CancelToken())
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        _select(app, "feat/copy")
        await pilot.press("y")
        assert app.clipboard == str(view.worktree.path)
        await pilot.press("Y")
        assert view.target is not None
        assert app.clipboard == view.target.masked_url
        assert "***" in app.clipboard
        await pilot.press("Y")
        assert app.clipboard == view.target.url


async def test_q_leaves_the_selection_for_the_shell_and_Q_does_not(  # noqa: N802
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = Services.from_path(repo)
    view = create(services, "feat/land", sink=ListSink(), cancel=CancelToken())
    for key, expected in (("Q", ""), ("q", str(view.worktree.path))):
        target = tmp_path / f"cd-{key}"
        target.write_text("")
        monkeypatch.setenv(CD_FILE, str(target))
        app = make_app(services)
        async with app.run_test(size=(100, 30)) as pilot:
            await loaded(pilot)
            _select(app, "feat/land")
            await pilot.press(key)
        assert target.read_text() == expected
