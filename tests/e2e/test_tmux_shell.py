"""`q` in the installed app lands a real shell (bash in tmux, with `wttui shell-init`) in the
selected worktree; `Q` leaves it where it was."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests import steps
from tests.e2e.test_tmux import Tmux, installed_wttui, tmux  # noqa: F401 - the fixture
from tests.repo_factory import make_repo
from wttui.core.logsink import CancelToken, ListSink
from wttui.services import Services

pytestmark = pytest.mark.tmux


def test_q_lands_the_shell_in_the_selected_worktree(
    tmp_path: Path,
    pg_admin_url: str,
    tmux: Tmux,  # noqa: F811
) -> None:
    root = make_repo(tmp_path, pg_admin_url)
    view = steps.create(
        Services.from_path(root), "feat/land", sink=ListSink(), cancel=CancelToken()
    )
    bin_dir = str(Path(installed_wttui()).parent)
    rc = tmp_path / "bashrc"
    rc.write_text(f'export PATH={shlex.quote(bin_dir)}:$PATH\neval "$(wttui shell-init bash)"\n')
    tmux.start(f"cd {shlex.quote(str(root))} && bash --rcfile {shlex.quote(str(rc))} -i")
    tmux.keys("wttui", "Enter")
    tmux.wait_for("feat/land")
    tmux.keys("j")
    tmux.wait_for(f"{root.name}_feat__land")
    tmux.keys("Q")
    tmux.wait_gone("Worktrees")
    tmux.keys(f'[ "$PWD" = {shlex.quote(str(root))} ] && echo STAY""ED', "Enter")
    tmux.wait_for("STAYED")  # (the typed line shows STAY""ED: only the output matches)
    tmux.keys("wttui", "Enter")
    tmux.wait_for("feat/land")
    tmux.keys("j")
    tmux.wait_for(f"{root.name}_feat__land")  # the Database pane follows the selection
    tmux.keys("q")
    tmux.wait_gone("Worktrees")
    tmux.keys(
        f'clear; [ "$PWD" = {shlex.quote(str(view.worktree.path))} ] && echo LAND""ED', "Enter"
    )
    tmux.wait_for("LANDED")
