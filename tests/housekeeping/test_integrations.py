"""Issue 10 items 6 and 7: the post-checkout hook provisions a plain `git worktree add`, and
`wttui cd` really changes the shell's directory in bash, zsh and fish."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import wttui
from tests.conftest import require_component
from tests.repo_factory import git
from wttui.providers.envfile import read_env
from wttui.providers.postgres import PostgresProvider

BIN = str(Path(sys.executable).parent)


def _path_with_wttui() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}


def test_installed_hook_provisions_a_plain_git_worktree_add(
    repo: Path, pg: PostgresProvider
) -> None:
    installed = wttui(repo, "hooks", "install")
    assert installed.returncode == 0, installed.stderr
    hook = repo / ".git" / "hooks" / "post-checkout"
    assert os.access(hook, os.X_OK)
    again = wttui(repo, "hooks", "install", "--dry-run")
    assert "nothing to do: installed already" in again.stdout  # idempotent

    path = repo.parent / "hooked"
    done = subprocess.run(
        ["git", "worktree", "add", "-q", "-b", "feat/hooked", str(path)],
        cwd=repo,
        capture_output=True,
        text=True,
        env=_path_with_wttui(),
    )
    assert done.returncode == 0, done.stderr
    assert pg.database_exists(f"{repo.name}_feat__hooked")
    assert read_env(path / ".env")["DATABASE_URL"].endswith(f"/{repo.name}_feat__hooked")
    assert git(path, "status", "--porcelain") == ""
    # checking out another branch in an existing worktree provisions nothing
    git(repo, "branch", "feat/other")
    git(path, "checkout", "-q", "feat/other")
    assert not pg.database_exists(f"{repo.name}_feat__other")


def test_wttui_create_with_the_hook_installed_provisions_once_and_never_waits_on_itself(
    repo: Path, pg: PostgresProvider
) -> None:
    """create holds the repository's lock while its git runs the hook: a `wttui sync` there
    would wait for that lock forever. The hook leaves wttui's own worktrees to it."""
    assert wttui(repo, "hooks", "install").returncode == 0
    done = subprocess.run(
        [f"{BIN}/wttui", "create", "feat/made"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=_path_with_wttui(),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip().splitlines()[-1])
    assert pg.database_exists(f"{repo.name}_feat__made")
    assert read_env(path / ".env")["DATABASE_URL"].endswith(f"/{repo.name}_feat__made")
    assert "Waiting for" not in done.stderr
    # A plain `git worktree add` by the user is still provisioned by the hook.
    plain = subprocess.run(
        ["git", "worktree", "add", "-q", "-b", "feat/plain", str(repo.parent / "plain")],
        cwd=repo,
        capture_output=True,
        text=True,
        env=_path_with_wttui(),
        timeout=120,
    )
    assert plain.returncode == 0, plain.stderr
    assert pg.database_exists(f"{repo.name}_feat__plain")


def test_an_existing_hook_is_kept_and_core_hooks_path_honoured(repo: Path) -> None:
    hooks = repo.parent / "shared-hooks"
    hooks.mkdir()
    own = '#!/bin/sh\necho mine >> "$(git rev-parse --git-common-dir)/mine.log"\n'
    (hooks / "post-checkout").write_text(own)
    (hooks / "post-checkout").chmod(0o755)
    git(repo, "config", "core.hooksPath", str(hooks))
    plan = wttui(repo, "hooks", "install", "--dry-run")
    assert f"core.hooksPath = {hooks}" in plan.stdout
    assert "append wttui's block" in plan.stdout
    assert wttui(repo, "hooks", "install").returncode == 0
    text = (hooks / "post-checkout").read_text()
    assert text.startswith(own)
    assert not (repo / ".git" / "hooks" / "post-checkout").exists()

    assert wttui(repo, "hooks", "uninstall").returncode == 0
    assert (hooks / "post-checkout").read_text() == own  # only wttui's block went


def test_hook_without_wttui_on_path_says_so_and_git_goes_on(repo: Path, tmp_path: Path) -> None:
    assert wttui(repo, "hooks", "install").returncode == 0
    hook = repo / ".git" / "hooks" / "post-checkout"
    hook.write_text(hook.read_text().replace(BIN + "/wttui", str(tmp_path / "nowhere")))
    path = repo.parent / "no-wttui"
    done = subprocess.run(
        ["git", "worktree", "add", "-q", "-b", "feat/none", str(path)],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0
    assert "wttui: not on PATH" in done.stderr
    assert "wttui sync" in done.stderr
    assert path.is_dir()
    assert wttui(repo, "hooks", "uninstall").returncode == 0
    assert not hook.exists()  # nothing else was in it


def test_a_hook_that_is_not_a_shell_script_is_refused_with_the_line_to_add(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "post-checkout"
    hook.write_text("#!/usr/bin/env python3\nprint('hi')\n")
    done = wttui(repo, "hooks", "install")
    assert done.returncode == 2
    assert "not a shell script" in done.stderr
    assert "wttui sync --quiet" in done.stderr
    assert hook.read_text() == "#!/usr/bin/env python3\nprint('hi')\n"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_wttui_cd_changes_the_shells_directory(repo: Path, shell: str) -> None:
    if shutil.which(shell) is None:
        require_component(shell, f"{shell} is not installed (scripts/test installs it)")
    created = wttui(repo, "create", "feat/cd")
    assert created.returncode == 0, created.stderr
    target = Path(created.stdout.strip())
    if shell == "fish":
        script = "wttui shell-init fish | source; wttui cd feat/cd; and pwd"
        argv = ["fish", "--no-config", "-c", script]
    else:
        script = f'eval "$(wttui shell-init {shell})"; wttui cd feat/cd && pwd'
        argv = [shell, "-c", script] if shell == "bash" else ["zsh", "-f", "-c", script]
    done = subprocess.run(argv, cwd=repo, capture_output=True, text=True, env=_path_with_wttui())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(target)

    missing = subprocess.run(
        [*argv[:-1], argv[-1].replace("feat/cd", "no/such")],
        cwd=repo,
        capture_output=True,
        text=True,
        env=_path_with_wttui(),
    )
    assert missing.returncode != 0
    assert "No worktree for 'no/such'" in missing.stderr
    assert str(target) not in missing.stdout  # stayed where it was


def test_pick_prints_the_one_match(repo: Path) -> None:
    created = wttui(repo, "create", "feat/pick-me")
    assert created.returncode == 0
    done = wttui(repo, "pick", "pick-me")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == created.stdout.strip()
    nothing = wttui(repo, "pick", "zzz")
    assert nothing.returncode == 2
