"""The installed `wttui` command, driven in a real terminal (tmux) as a user would."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import steps
from tests.conftest import require_component
from tests.repo_factory import make_repo
from wttui.core.logsink import CancelToken, ListSink
from wttui.services import Services
from wttui.snapshot import read_view

pytestmark = pytest.mark.tmux


def installed_wttui() -> str:
    candidate = Path(sys.executable).parent / "wttui"
    found = str(candidate) if candidate.exists() else shutil.which("wttui")
    if not found:
        require_component("wttui command", "the package is not installed (pip install -e .)")
    assert found is not None
    return found


class Tmux:
    """A private tmux server (its own socket) with one session running a command."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20
        )
        if done.returncode:
            raise AssertionError(f"tmux {args[0]} failed: {done.stderr}")
        return done.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def wait_gone(self, text: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while text in self.screen():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} stayed on the screen")
            time.sleep(0.2)

    def start(self, command: str, **env: str) -> None:
        """Run `command` in a 100×30 session named e2e, in a 256-colour terminal, with `env`."""
        subprocess.run(
            ["tmux", "-L", self.socket, "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30"]
            + [f"-e{key}={value}" for key, value in env.items()]
            + [command],
            check=True,
            env={**os.environ, "TERM": "xterm-256color"},
        )

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "e2e", *keys)


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        require_component("tmux", "tmux is not installed")
    session = Tmux(f"wttui-e2e-{uuid.uuid4().hex[:8]}")
    yield session
    subprocess.run(["tmux", "-L", session.socket, "kill-server"], capture_output=True)


def test_installed_command_shows_worktrees_and_migrates(
    tmp_path: Path, pg_admin_url: str, tmux: Tmux
) -> None:
    root = make_repo(tmp_path, pg_admin_url)
    services = Services.from_path(root)
    view = steps.create(services, "feat/tmux", sink=ListSink(), cancel=CancelToken())
    (view.worktree.path / "migrations/003_e2e.sql").write_text("CREATE TABLE e2e (id int);\n")

    tmux.start(f"{installed_wttui()} -C {root}; echo WTTUI-EXITED-$?; sleep 30")
    screen = tmux.wait_for("feat/tmux")
    assert "Worktrees" in screen

    tmux.keys("j")  # select feat/tmux (main is first)
    tmux.keys("m")
    tmux.wait_for("003_e2e")
    deadline = time.monotonic() + 30
    while read_view(services, "feat/tmux").counts.pending and time.monotonic() < deadline:
        time.sleep(0.3)
    assert read_view(services, "feat/tmux").counts.applied == 3

    tmux.keys("?")
    tmux.wait_for("Create a worktree")
    tmux.keys("Escape")
    tmux.wait_gone("Keys — type to filter")
    tmux.keys("q")
    tmux.wait_for("WTTUI-EXITED-0")


def test_no_color_draws_in_grey_and_says_states_in_words(
    tmp_path: Path, pg_admin_url: str, tmux: Tmux
) -> None:
    root = make_repo(tmp_path, pg_admin_url)
    services = Services.from_path(root)
    steps.create(services, "feat/grey", sink=ListSink(), cancel=CancelToken())
    tmux.start(f"{installed_wttui()} -C {root}; sleep 30", NO_COLOR="1")
    tmux.wait_for("feat/grey")
    tmux.keys("j")
    tmux.wait_for("applied")  # the Migrations pane says it in words
    escapes = tmux.run("capture-pane", "-p", "-e", "-t", "e2e")
    colours = [int(n) for n in re.findall(r"[34]8;5;(\d+)", escapes)]
    assert colours, "expected tmux to report the 256-colour greys Textual uses"
    hues = sorted({n for n in colours if not 232 <= n <= 255 and n not in (0, 7, 8, 15, 16, 231)})
    assert hues == [], f"colours other than greys with NO_COLOR: {hues}"
    assert "38;2;" not in escapes
    assert "48;2;" not in escapes
