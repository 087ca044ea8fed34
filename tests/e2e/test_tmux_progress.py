"""A slow migration in the installed app, in a real terminal (issue 11, items 3 and 10): the row
is marked, the Log title says `running migrate …` with seconds that tick, `q` asks before it
cancels anything, and once the migration is done the title says so."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests import steps
from tests.e2e.test_tmux import Tmux, installed_wttui, tmux  # noqa: F401 - the fixture
from tests.repo_factory import make_repo
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState
from wttui.services import Services
from wttui.snapshot import read_view

pytestmark = pytest.mark.tmux

SECONDS = re.compile(r"running migrate feat/slow · .*?(\d+)s ")


def _title(screen: str) -> str:
    return next((line for line in screen.splitlines() if "4 Log" in line), "")


def _seconds(tmux: Tmux) -> int | None:  # noqa: F811
    found = SECONDS.search(_title(tmux.screen()))
    return int(found.group(1)) if found else None


def test_a_slow_migration_says_running_with_ticking_seconds_and_q_asks_first(
    tmp_path: Path,
    pg_admin_url: str,
    tmux: Tmux,  # noqa: F811
) -> None:
    root = make_repo(tmp_path, pg_admin_url)
    services = Services.from_path(root)
    view = steps.create(services, "feat/slow", sink=ListSink(), cancel=CancelToken())
    (view.worktree.path / "migrations/003_slow.sql").write_text(
        "-- migrate:up\nSELECT pg_sleep(8);\nCREATE TABLE slow (id int);\n"
        "-- migrate:down\nDROP TABLE slow;\n"
    )
    tmux.start(f"{installed_wttui()} -C {root}; echo WTTUI-EXITED-$?; sleep 30", NO_COLOR="1")
    tmux.wait_for("feat/slow")
    tmux.keys("j")
    tmux.wait_for("pending  slow")  # feat/slow is selected: its pending migration is listed
    tmux.keys("m")

    screen = tmux.wait_for("running migrate feat/slow", timeout=15)
    row = next(line for line in screen.splitlines() if "feat/slow ●" in line)
    # In the row's Migrations cell: `⟳ migrating`, cut to the column where it is narrow.
    assert "⟳ migrat" in row, screen
    first = _seconds(tmux)
    assert first is not None, _title(screen)
    deadline = time.monotonic() + 10
    while (_seconds(tmux) or 0) <= first:
        assert time.monotonic() < deadline, f"the seconds stayed at {first}: {tmux.screen()}"
        time.sleep(0.3)

    tmux.keys("q")
    tmux.wait_for("An action is running (migrate feat/slow): cancel it and quit?")
    tmux.keys("n")
    tmux.wait_gone("cancel it and quit?")
    assert "WTTUI-EXITED" not in tmux.screen()

    screen = tmux.wait_for("✓ migrate feat/slow done", timeout=30)
    assert "running" not in _title(screen)
    assert "⟳" not in screen
    assert [m.state for m in read_view(services, "feat/slow").migrations] == [
        MigrationState.APPLIED
    ] * 3
    tmux.keys("q")  # idle: quits at once
    tmux.wait_for("WTTUI-EXITED-0")
