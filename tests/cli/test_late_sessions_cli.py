"""`wttui remove` and `wttui reset` on a terminal: a session opened while the user reads the
question is not ended (they did not pass --force); the command stops with one line, exit 4,
and nothing changed."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests import steps
from tests.cli.conftest import on_terminal
from tests.state import fingerprint
from wttui.errors import EXIT_REFUSED
from wttui.services import Services


@pytest.mark.parametrize("command", ["remove", "reset"])
def test_a_session_opened_during_the_question_stops_the_command(
    repo: Path, pg_admin_url: str, command: str
) -> None:
    services = Services.from_path(repo)
    view = steps.create(services, "feat/asked")
    assert view.target is not None
    url = view.target.url
    opened: list[psycopg.Connection[tuple[object, ...]]] = []
    before = fingerprint(repo, pg_admin_url, services.project)
    try:
        code, out = on_terminal(
            repo,
            command,
            "feat/asked",
            answer=view.target.label,
            before_answer=lambda: opened.append(psycopg.connect(url, autocommit=True)),
        )
        assert opened
        assert opened[0].execute("SELECT 1").fetchone() == (1,)
    finally:
        for conn in opened:
            conn.close()
    assert code == EXIT_REFUSED, out
    said = out.split("to confirm:", 1)[1].strip().splitlines()[1:]  # after the typed name
    assert said[0].startswith("wttui: error: Database "), out  # nothing done before it
    assert "1 open session(s)" in said[0], out
    assert "nothing was changed" in said[0], out
    assert said[1:] == ["hint: close them, or use --force to end them"], out
    assert "Traceback" not in out
    assert view.worktree.path.exists()
    assert fingerprint(repo, pg_admin_url, services.project) == before
