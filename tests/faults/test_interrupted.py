"""Ctrl-C and a killed git (issue 13, items 4 and 5), through the installed `wttui`.

Ctrl-C is sent as a terminal sends it, to wttui's whole process group: wttui cancels through
its token, exits 130 with one line saying which steps ran and that the same command finishes
the rest, and that re-run finishes with nothing made twice. A git killed while it checks files
out leaves a worktree git itself marks `locked initializing`, half checked out: the re-run
finishes that checkout before going on.
"""

from __future__ import annotations

import signal
from pathlib import Path

from tests.faults.interrupt import (
    AFTER,
    BEFORE,
    SLEEPING,
    SLOW_MIGRATION,
    Gate,
    Running,
    applied,
    kill_group_of,
    sleeping_migration,
    tables,
    wait_until,
    worktrees,
    wttui_lines,
)
from tests.faults.scene import Scene
from tests.repo_factory import git

BASE = ["001", "002"]


def _only_worktree_of(scene: Scene, branch: str) -> Path:
    mine = [w for w in worktrees(scene) if w.get("branch") == f"refs/heads/{branch}"]
    assert len(mine) == 1, mine
    assert "locked" not in mine[0], mine[0]
    return Path(mine[0]["worktree"])


def _assert_finished(scene: Scene, branch: str, database: str, versions: list[str]) -> Path:
    """One worktree for `branch`, every file checked out and nothing changed; one database
    for it; each migration applied once, as the tracking table says."""
    path = _only_worktree_of(scene, branch)
    assert git(path, "status", "--porcelain") == ""
    names = [name for name in scene.databases() if name.startswith(f"{scene.project}_")]
    assert names == [database]
    assert applied(scene, database) == [(version, "applied") for version in versions]
    assert {"users", "orders"} <= tables(scene, database)
    return path


def _one_cancel_line(code: int, stderr: str, again: str) -> str:
    assert code == 130, stderr
    assert "Traceback" not in stderr
    lines = wttui_lines(stderr)
    assert len(lines) == 1, stderr
    assert lines[0].startswith("wttui: Cancelled during"), lines[0]
    assert f"`{again}` again finishes it" in lines[0]
    return lines[0]


def test_ctrl_c_while_git_checks_out_lets_git_finish_then_stops(scene: Scene) -> None:
    gate = Gate(scene)
    gate.hold()
    create = Running(scene, "create", "feat/a")
    gate.wait_reached()
    create.signal_group(signal.SIGINT)
    create.wait_for("cancelling")
    gate.release()  # git was not interrupted: it finishes its checkout, then wttui stops
    line = _one_cancel_line(*create.finish(), again="wttui create feat/a")
    assert "Adding worktree" in line
    path = _only_worktree_of(scene, "feat/a")
    assert all((path / name).exists() for name in BEFORE + AFTER)
    assert scene.databases() == {}  # no database was made

    again = scene.wttui("create", "feat/a")
    assert again.returncode == 0, again.stderr
    assert "Resuming create of feat/a" in again.stderr
    _assert_finished(scene, "feat/a", f"{scene.project}_feat__a", BASE)


def test_ctrl_c_during_a_migration_rolls_it_back_and_the_rerun_applies_it_once(
    scene: Scene,
) -> None:
    (scene.root / "migrations/003_slow.sql").write_text(SLOW_MIGRATION)
    git(scene.root, "add", "-A")
    git(scene.root, "commit", "-q", "-m", "slow migration")
    database = f"{scene.project}_feat__b"
    create = Running(scene, "create", "feat/b", env=SLEEPING)
    wait_until(
        lambda: database in scene.databases() and sleeping_migration(scene, database),
        "the slow migration",
    )
    create.signal_group(signal.SIGINT)
    _one_cancel_line(*create.finish(15), again="wttui create feat/b")
    assert applied(scene, database) == [("001", "applied"), ("002", "applied")]
    assert "slow" not in tables(scene, database)

    again = scene.wttui("create", "feat/b")
    assert again.returncode == 0, again.stderr
    _assert_finished(scene, "feat/b", database, [*BASE, "003"])
    assert "slow" in tables(scene, database)


def test_ctrl_c_during_migrate_and_the_rerun(scene: Scene) -> None:
    made = scene.wttui("create", "feat/c")
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip())
    (path / "migrations/003_slow.sql").write_text(SLOW_MIGRATION)
    database = f"{scene.project}_feat__c"
    migrate = Running(scene, "migrate", "feat/c", env=SLEEPING)
    wait_until(lambda: sleeping_migration(scene, database), "the slow migration")
    migrate.signal_group(signal.SIGINT)
    line = _one_cancel_line(*migrate.finish(15), again="wttui migrate feat/c")
    assert "Migrate" in line
    assert applied(scene, database) == [("001", "applied"), ("002", "applied")]

    again = scene.wttui("migrate", "feat/c")
    assert again.returncode == 0, again.stderr
    assert applied(scene, database) == [(v, "applied") for v in [*BASE, "003"]]
    assert "slow" in tables(scene, database)


def test_a_second_ctrl_c_aborts_and_the_rerun_waits_for_the_git_left_running(
    scene: Scene,
) -> None:
    gate = Gate(scene)
    gate.hold()
    create = Running(scene, "create", "feat/d")
    gate.wait_reached()
    create.signal_group(signal.SIGINT)
    create.wait_for("cancelling")
    create.signal_group(signal.SIGINT)
    code, stderr = create.finish(10)
    assert code == 130, stderr
    assert "Traceback" not in stderr
    assert wttui_lines(stderr) == ["wttui: aborted"]

    # git, in its own session, is still held at the gate: the repository stays locked by it.
    rerun = Running(scene, "create", "feat/d")
    rerun.wait_for("which has exited: a git it started is still finishing")
    gate.release()
    code, stderr = rerun.finish()
    assert code == 0, stderr
    _assert_finished(scene, "feat/d", f"{scene.project}_feat__d", BASE)


def test_a_git_killed_mid_checkout_is_finished_by_the_rerun(scene: Scene) -> None:
    gate = Gate(scene)
    gate.hold()
    create = Running(scene, "create", "feat/e")
    checkout = gate.wait_reached()
    kill_group_of(checkout)  # git and everything it started, SIGKILL
    code, stderr = create.finish()
    gate.release()
    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert wttui_lines(stderr) == ["wttui: error: git worktree add was killed (SIGKILL)"]
    (half,) = [w for w in worktrees(scene) if w.get("branch") == "refs/heads/feat/e"]
    assert half["locked"] == "initializing"
    path = Path(half["worktree"])
    assert all((path / name).exists() for name in BEFORE)
    assert not any((path / name).exists() for name in AFTER)

    before = git(scene.root, "worktree", "list", "--porcelain")
    shown = scene.wttui("create", "feat/e", "--dry-run")
    assert "git's checkout was stopped half way: finish it" in shown.stdout
    assert git(scene.root, "worktree", "list", "--porcelain") == before

    again = scene.wttui("create", "feat/e")
    assert again.returncode == 0, again.stderr
    assert "Finishing the checkout" in again.stderr
    path = _assert_finished(scene, "feat/e", f"{scene.project}_feat__e", BASE)
    assert all((path / name).read_text() == f"{name}\n" for name in [*BEFORE, *AFTER])
