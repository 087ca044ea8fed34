"""A quit key pressed right after asking for an action — typed ahead in one burst, before the
action has started, or on the dialog that confirms it — asks first, as it does once the action
runs: the user meant the action. No goes on with it; yes quits and nothing has run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from textual.pilot import Pilot
from textual.widgets import Button

from tests.app.conftest import loaded, screen_lines, wait_until
from tests.app.test_progress import select, slow_worktree
from wttui.core.models import MigrationState
from wttui.snapshot import read_view
from wttui.ui.app import WttuiApp, make_app
from wttui.ui.screens.confirm import ConfirmScreen

APPLIED = [MigrationState.APPLIED, MigrationState.APPLIED, MigrationState.PENDING]


async def quit_question(pilot: Pilot[None], app: WttuiApp) -> str:
    """The quit question, once on screen with the focus on No; its words."""
    await wait_until(
        pilot,
        lambda: isinstance(app.screen, ConfirmScreen) and "Quit?" in "\n".join(screen_lines(app)),
        what="the quit question",
    )
    assert app.is_running, "q quit without asking"
    await wait_until(pilot, lambda: app.screen.query_one("#no", Button).has_focus)
    return "\n".join(screen_lines(app))


async def test_m_then_q_in_one_burst_asks_before_quitting(repo: Path) -> None:
    services = slow_worktree(repo, 60)
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await select(pilot, app, "feat/slow")
        await pilot.press("m", "q")
        said = await quit_question(pilot, app)
        assert "(migrate feat/slow): cancel it and quit?" in said, said
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="no")
        await pilot.pause(0.5)
        assert app.is_running, "no keeps wttui running"
        assert app.jobs.busy, "no keeps the migration running"
        await pilot.press("q")
        await quit_question(pilot, app)
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, 30, "wttui to quit")
    assert [m.state for m in read_view(services, "feat/slow").migrations] == APPLIED


@contextmanager
def tables_locked(url: str) -> Iterator[None]:
    """Every table of the database at `url` locked by another session (a busy server): reading
    the migration state waits until the block ends."""
    with psycopg.connect(url) as conn:
        names = [
            row[0]
            for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        for name in names:
            conn.execute(
                sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(name))
            )
        yield
        conn.rollback()


async def test_b_then_q_in_one_burst_asks_and_no_goes_on_to_the_rollback(repo: Path) -> None:
    """The rollback is still being planned when `q` arrives (the server is slow to answer)."""
    services = slow_worktree(repo, 1)
    target = read_view(services, "feat/slow").target
    assert target is not None
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await select(pilot, app, "feat/slow")
        with tables_locked(target.url):
            await pilot.press("b", "q")
            said = await quit_question(pilot, app)
            assert "(rollback feat/slow): drop it and quit?" in said, said
        await pilot.pause(1.0)  # the plan comes back while the question is open: it waits
        assert "Quit?" in "\n".join(screen_lines(app))
        await pilot.press("n")
        await wait_until(  # the rollback's own question, once the quit question is answered
            pilot,
            lambda: (
                isinstance(app.screen, ConfirmScreen)
                and "Quit?" not in "\n".join(screen_lines(app))
            ),
            what="the rollback's dialog",
        )
        assert app.is_running
        await pilot.press("q")  # on the rollback's dialog: asks again
        said = await quit_question(pilot, app)
        assert "The dialog “Roll back?” waits for your answer" in said, said
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, 10, "wttui to quit")
    assert [m.state for m in read_view(services, "feat/slow").migrations] == APPLIED
