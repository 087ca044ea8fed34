"""`d` in the app: a session opened on the worktree's database while the dialog waits for its
name is not ended (the force box was not ticked); the job stops with the line the CLI prints,
and the worktree and its database are both still there."""

from __future__ import annotations

from pathlib import Path

import psycopg
from textual.widgets import Button

from tests.app.conftest import job_done, loaded, log_text, wait_until
from tests.app.test_app import provisioned
from wttui.ui.app import make_app
from wttui.ui.screens.remove import RemoveScreen


async def test_a_session_opened_while_the_remove_dialog_waits_stops_the_remove(
    repo: Path,
) -> None:
    services = provisioned(repo, "feat/busy")
    name = f"{services.project}_feat__busy"
    url = services.context_of("feat/busy").target.url
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "d")
        await wait_until(pilot, lambda: isinstance(app.screen, RemoveScreen), what="the dialog")
        await pilot.press(*name)
        assert not app.screen.query_one("#confirm", Button).disabled
        with psycopg.connect(url, autocommit=True) as session:
            await pilot.press("enter")
            await job_done(pilot)
            assert session.execute("SELECT 1").fetchone() == (1,)  # not ended
        said = " ".join(log_text(app).split())  # the pane wraps long lines
        assert "1 open session(s), opened after the remove was planned; nothing was changed" in (
            said
        ), said
        assert "close them, or use --force to end them" in said, said
    assert services.git.find_worktree("feat/busy") is not None
    assert services.server.provider().database_exists(name)
