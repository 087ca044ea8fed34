"""Issue 11 in a real terminal: a long branch name keeps the state columns on screen, and
`ctrl+p` (as well as `:`) opens the command palette."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import steps
from tests.conftest import require_component
from tests.e2e.test_tmux import Tmux, installed_wttui
from tests.repo_factory import make_repo
from wttui.services import Services

pytestmark = pytest.mark.tmux

LONG = "feature/PROJ-1234-add-stripe-webhook-retry-queue"


@pytest.fixture
def terminal() -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        require_component("tmux", "tmux is not installed")
    session = Tmux(f"wttui-e2e-{uuid.uuid4().hex[:8]}")
    yield session
    subprocess.run(["tmux", "-L", session.socket, "kill-server"], capture_output=True)


def test_long_name_and_the_palette_in_a_terminal(
    tmp_path: Path, pg_admin_url: str, terminal: Tmux
) -> None:
    root = make_repo(tmp_path, pg_admin_url)
    services = Services.from_path(root)
    steps.create(services, LONG)

    terminal.start(f"{installed_wttui()} -C {root}; echo WTTUI-EXITED-$?; sleep 30")
    screen = terminal.wait_for("PROJ-1234")
    header = next(line for line in screen.splitlines() if "Branch" in line)
    assert "Migrations" in header
    assert "Age" in header
    row = next(line for line in screen.splitlines() if "PROJ-1234" in line)
    assert "feature/PROJ-1234…" in row  # cut in the middle, the ticket kept
    assert "✓2" in row  # its migrations, on screen

    terminal.keys("C-p")
    terminal.wait_for("Search for commands")
    terminal.keys("sort by size")
    terminal.wait_for("Sort worktrees by database size")
    terminal.keys("Escape", "Escape")  # the first hides the list, the second closes
    terminal.wait_gone("🔎")
    terminal.keys(":")
    terminal.wait_for("Search for commands")
    terminal.keys("Escape")
    terminal.wait_gone("🔎")
    terminal.keys("q")
    terminal.wait_for("WTTUI-EXITED-0")
