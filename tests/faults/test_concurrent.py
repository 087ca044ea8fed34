"""One wttui changes a repository at a time (issue 13, item 13), through the installed `wttui`.

The first wttui is held where it holds the lock — git blocked at the gate half way through a
checkout, or a migration sleeping — while a second one starts: it waits and says for whom, or
with `--no-wait` stops with exit 4 and changes nothing; reads never wait; a Ctrl-C while
waiting changes nothing; a dead holder's lock is taken over at once. Both end well: what the
first did is not done twice by the second, which plans again after its wait.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.faults.interrupt import (
    AFTER,
    BEFORE,
    SLOW_MIGRATION,
    Gate,
    Running,
    applied,
    kill_group_of,
    sleeping_migration,
    wait_until,
    worktrees,
    wttui_lines,
)
from tests.faults.scene import Scene, assert_one_error
from tests.repo_factory import git

BASE = [("001", "applied"), ("002", "applied")]


def _held_create(scene: Scene, gate: Gate, branch: str) -> tuple[Running, int]:
    """`wttui create BRANCH` holding the lock, its git blocked at the gate; and git's pid."""
    gate.hold()
    first = Running(scene, "create", branch)
    return first, gate.wait_reached()


def _branches(scene: Scene) -> list[str]:
    return sorted(w.get("branch", "") for w in worktrees(scene))


def test_no_wait_stops_at_once_and_changes_nothing(scene: Scene) -> None:
    gate = Gate(scene)
    first, _ = _held_create(scene, gate, "feat/first")
    before = scene.state()
    done = scene.wttui("create", "feat/second", "--no-wait")
    line = assert_one_error(done, 4, says="Another wttui is changing this repository")
    assert f"pid {first.process.pid} (wttui create feat/first) since " in line
    assert scene.state() == before
    gate.release()
    assert first.finish()[0] == 0


def test_reads_never_wait(scene: Scene) -> None:
    assert scene.wttui("create", "feat/made").returncode == 0
    gate = Gate(scene)
    first, _ = _held_create(scene, gate, "feat/first")
    started = time.monotonic()
    for args in (
        ["status", "--json"],
        ["drift"],
        ["create", "feat/other", "--dry-run"],
        ["migrate", "feat/made", "--dry-run"],
        ["reset", "feat/made", "--dry-run"],
        ["remove", "feat/made", "--dry-run"],
    ):
        done = scene.wttui(*args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Waiting for" not in done.stderr
    assert time.monotonic() - started < 30
    gate.release()
    assert first.finish()[0] == 0


def test_a_second_create_waits_for_the_first_and_both_finish(scene: Scene) -> None:
    gate = Gate(scene)
    first, _ = _held_create(scene, gate, "feat/first")
    second = Running(scene, "create", "feat/second")
    second.wait_for(f"Waiting for pid {first.process.pid} (wttui create feat/first) since ")
    assert "feat/second" not in git(scene.root, "branch")  # it waits before doing anything
    gate.release()
    assert first.finish()[0] == 0
    code, stderr = second.finish()
    assert code == 0, stderr
    assert _branches(scene) == [
        "refs/heads/feat/first",
        "refs/heads/feat/second",
        "refs/heads/main",
    ]
    for branch in ("first", "second"):
        assert applied(scene, f"{scene.project}_feat__{branch}") == BASE


def test_a_second_create_of_the_same_branch_waits_then_finds_it_made(scene: Scene) -> None:
    gate = Gate(scene)
    first, _ = _held_create(scene, gate, "feat/same")
    second = Running(scene, "create", "feat/same")
    second.wait_for("Waiting for pid")
    gate.release()
    assert first.finish()[0] == 0
    code, stderr = second.finish()
    assert code == 2, stderr
    assert "Traceback" not in stderr
    assert wttui_lines(stderr)[0].startswith("wttui: error: Branch feat/same already has")
    assert _branches(scene) == ["refs/heads/feat/same", "refs/heads/main"]
    assert list(scene.databases()) == [f"{scene.project}_feat__same"]
    assert applied(scene, f"{scene.project}_feat__same") == BASE


def test_concurrent_migrates_apply_each_migration_once(scene: Scene) -> None:
    made = scene.wttui("create", "feat/m")
    assert made.returncode == 0, made.stderr
    (Path(made.stdout.strip()) / "migrations/003_slow.sql").write_text(SLOW_MIGRATION)
    database = f"{scene.project}_feat__m"
    first = Running(scene, "migrate", "feat/m", env={"PGOPTIONS": "-c wttui_test.sleep=2"})
    wait_until(lambda: sleeping_migration(scene, database), "the slow migration")
    second = Running(scene, "migrate", "feat/m")
    second.wait_for("Waiting for pid")
    assert first.finish()[0] == 0
    code, stderr = second.finish()
    assert code == 0, stderr
    assert "No pending migrations" in stderr
    assert applied(scene, database) == [*BASE, ("003", "applied")]


def test_ctrl_c_while_waiting_changes_nothing(scene: Scene) -> None:
    gate = Gate(scene)
    first, _ = _held_create(scene, gate, "feat/first")
    second = Running(scene, "create", "feat/second")
    second.wait_for("Waiting for pid")
    second.signal_group(signal.SIGINT)
    code, stderr = second.finish(10)
    assert code == 130, stderr
    assert "Traceback" not in stderr
    (line,) = wttui_lines(stderr)
    assert line.startswith(f"wttui: Cancelled while waiting for pid {first.process.pid} ")
    assert line.endswith("; nothing was changed")
    assert "feat/second" not in git(scene.root, "branch")
    gate.release()
    assert first.finish()[0] == 0


def test_a_dead_holders_lock_is_taken_over(scene: Scene) -> None:
    gate = Gate(scene)
    first, checkout = _held_create(scene, gate, "feat/dead")
    first.signal_group(signal.SIGKILL)  # wttui, and the git it left in its own session
    kill_group_of(checkout)
    first.finish()
    gate.release()
    done = scene.wttui("create", "feat/dead", "--no-wait")  # no waiting for the dead
    assert done.returncode == 0, done.stderr
    assert "Finishing the checkout" in done.stderr
    path = Path(done.stdout.strip())
    assert all((path / name).exists() for name in [*BEFORE, *AFTER])
    assert applied(scene, f"{scene.project}_feat__dead") == BASE


def test_exec_never_takes_the_lock(scene: Scene) -> None:
    """A command run in a worktree may run for hours (a dev server): it does not lock others
    out, and waits for no one."""
    gate = Gate(scene)
    first, _ = _held_create(scene, gate, "feat/first")
    ran = scene.wttui("exec", "main", "--", "true")
    assert ran.returncode == 0, ran.stderr
    assert "Waiting for" not in ran.stderr
    gate.release()
    assert first.finish()[0] == 0
