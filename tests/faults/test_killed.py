"""wttui, or the PostgreSQL server under it, killed with SIGKILL at random points of create,
migrate and remove, then the same command run again (issue 13's fault suite).

The kill reaches wttui and its whole process group, as when a terminal is closed or the OOM
killer strikes; git, which wttui runs in its own session, finishes its step and keeps the
repository locked until it has. After each re-run: one worktree per branch, one database,
each migration applied once, and the tracking table agreeing with the tables the migrations
made — also right after the kill, before the re-run (a migration is applied whole or not at
all). The kill points come from a seeded random generator (`WTTUI_FAULT_SEED`, printed with
every failure) so that a failure reproduces.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.faults.interrupt import (
    SLEEPING,
    SLOW_MIGRATION,
    Running,
    applied,
    query,
    sleeping_migration,
    tables,
    wait_until,
    worktrees,
    wttui_lines,
)
from tests.faults.scene import Scene
from tests.repo_factory import git, make_repo
from wttui.errors import ServerSetupError
from wttui.providers.local_cluster import LocalCluster

SEED = int(os.environ.get("WTTUI_FAULT_SEED", "13"))
ROUNDS = 3


def _migration(number: int) -> str:
    return (
        f"-- migrate:up\nSELECT pg_sleep(0.05);\nCREATE TABLE t{number} (id int);\n"
        f"-- migrate:down\nDROP TABLE t{number};\n"
    )


def _add_migrations(folder: Path, numbers: range) -> list[str]:
    for number in numbers:
        (folder / f"{number:03}_t{number}.sql").write_text(_migration(number))
    return [f"{number:03}" for number in numbers]


def _killed_after(scene: Scene, delay: float, *args: str) -> None:
    run = Running(scene, *args)
    time.sleep(delay)
    run.signal_group(signal.SIGKILL)
    run.finish()


def _timed(scene: Scene, *args: str) -> float:
    started = time.monotonic()
    done = scene.wttui(*args)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - started


def _consistent(scene: Scene, database: str, context: str) -> list[str]:
    """The tracking table and the tables agree: every applied migration's table exists, and
    no table exists for a migration not recorded. Returns the applied versions."""
    rows = applied(scene, database)
    assert all(status == "applied" for _, status in rows), (context, rows)
    versions = [version for version, _ in rows]
    made = {name for name in tables(scene, database) if name.startswith("t")}
    expected = {f"t{int(v)}" for v in versions if int(v) >= 3}
    assert made == expected, (context, versions, made)
    return versions


def _one_worktree_each(scene: Scene) -> None:
    branches = [w.get("branch") for w in worktrees(scene)]
    assert len(branches) == len(set(branches)), branches


def test_create_killed_at_random_points_then_rerun(scene: Scene) -> None:
    versions = ["001", "002", *_add_migrations(scene.root / "migrations", range(3, 7))]
    git(scene.root, "add", "-A")
    git(scene.root, "commit", "-q", "-m", "more migrations")
    duration = _timed(scene, "create", "feat/probe")
    rng = random.Random(SEED)
    for round_ in range(ROUNDS):
        branch, delay = f"feat/k{round_}", rng.uniform(0.0, duration)
        context = f"WTTUI_FAULT_SEED={SEED} round {round_}: killed after {delay:.2f} s"
        database = f"{scene.project}_feat__k{round_}"
        _killed_after(scene, delay, "create", branch)
        if database in scene.databases():
            _consistent(scene, database, context)
        again = scene.wttui("create", branch)
        if again.returncode == 2:  # the killed one had finished: it says so, changes nothing
            assert f"Branch {branch} already has a worktree" in again.stderr, (context, again)
        else:
            assert again.returncode == 0, (context, again.stderr)
        assert _consistent(scene, database, context) == versions
        _one_worktree_each(scene)
    expected = {f"{scene.project}_feat__probe"} | {
        f"{scene.project}_feat__k{n}" for n in range(ROUNDS)
    }
    assert set(scene.databases()) == expected


def test_migrate_killed_at_random_points_then_rerun(scene: Scene) -> None:
    made = scene.wttui("create", "feat/m")
    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip()) / "migrations"
    database = f"{scene.project}_feat__m"
    rng = random.Random(SEED + 1)
    versions = ["001", "002"]
    for round_ in range(ROUNDS):
        first = 3 + 4 * round_
        versions += _add_migrations(folder, range(first, first + 4))
        delay = rng.uniform(0.3, 1.2)  # from planning to the last of its four migrations
        context = f"WTTUI_FAULT_SEED={SEED} round {round_}: killed after {delay:.2f} s"
        _killed_after(scene, delay, "migrate", "feat/m")
        _consistent(scene, database, context)
        again = scene.wttui("migrate", "feat/m")
        assert again.returncode == 0, (context, again.stderr)
        assert _consistent(scene, database, context) == versions


def test_remove_killed_at_random_points_then_rerun(scene: Scene) -> None:
    rng = random.Random(SEED + 2)
    duration = 0.0
    for round_ in range(ROUNDS):
        assert scene.wttui("create", f"feat/r{round_}").returncode == 0
    duration = _timed(scene, "remove", "feat/r0", "--yes")
    for round_ in range(1, ROUNDS):
        branch, delay = f"feat/r{round_}", rng.uniform(0.0, duration)
        context = f"WTTUI_FAULT_SEED={SEED + 2} round {round_}: killed after {delay:.2f} s"
        _killed_after(scene, delay, "remove", branch, "--yes")
        again = scene.wttui("remove", branch, "--yes")
        gone = f"{scene.project}_feat__r{round_}" not in scene.databases()
        if again.returncode == 2:  # the killed one had finished: nothing was left to do
            assert "No worktree for" in again.stderr, (context, again.stderr)
            assert gone, context
        else:
            assert again.returncode == 0, (context, again.stderr)
        assert gone, (context, scene.databases())
        assert f"refs/heads/{branch}" not in [w.get("branch") for w in worktrees(scene)]
    assert scene.databases() == {}
    trash = json.loads(scene.wttui("trash", "--json").stdout)
    # Each removed database is in the trash once, however its remove was killed.
    assert sorted(item["original"] for item in trash) == [
        f"{scene.project}_feat__r{round_}" for round_ in range(ROUNDS)
    ]
    assert not list((scene.root / ".git/wttui/removing").glob("*"))


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[tuple[Scene, LocalCluster]]:
    """A repository on a PostgreSQL cluster of this test's own: the test kills it."""
    cluster = LocalCluster(tmp_path / "own-cluster")
    try:
        url = cluster.ensure_running()
    except ServerSetupError as exc:
        pytest.fail(f"a private PostgreSQL cluster: {exc}")
    yield Scene(tmp_path, make_repo(tmp_path, url), url), cluster
    cluster.destroy()


def _kill_server(cluster: LocalCluster) -> None:
    """SIGKILL the postmaster and every process it started, as a crash would."""
    pid = cluster.status().pid
    assert pid is not None
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    for victim in [pid, *children]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
    wait_until(lambda: not cluster.status().running, "the server to be gone")


def _unreachable(code: int, stderr: str, password: str) -> None:
    assert code == 3, stderr
    assert "Traceback" not in stderr
    errors = [line for line in wttui_lines(stderr) if line.startswith("wttui: error:")]
    assert len(errors) == 1, stderr
    assert password not in stderr


@pytest.mark.parametrize("command", ["create", "migrate"])
def test_the_server_killed_mid_action_gives_exit_3_and_a_clean_rerun(
    own_server: tuple[Scene, LocalCluster], command: str
) -> None:
    scene, cluster = own_server
    database = f"{scene.project}_feat__s"
    if command == "migrate":  # the slow one is new in the worktree
        made = scene.wttui("create", "feat/s")
        assert made.returncode == 0, made.stderr
        (Path(made.stdout.strip()) / "migrations/003_slow.sql").write_text(SLOW_MIGRATION)
    else:  # the slow one comes with the branch
        (scene.root / "migrations/003_slow.sql").write_text(SLOW_MIGRATION)
        git(scene.root, "add", "-A")
        git(scene.root, "commit", "-q", "-m", "slow migration")
    run = Running(scene, command, "feat/s", env=SLEEPING)
    wait_until(
        lambda: database in scene.databases() and sleeping_migration(scene, database),
        "the slow migration",
    )
    _kill_server(cluster)
    _unreachable(*run.finish(30), password=scene.password)

    cluster.ensure_running()  # the server is back (on its port)
    again = scene.wttui(command, "feat/s")
    assert again.returncode == 0, again.stderr
    assert applied(scene, database) == [(v, "applied") for v in ("001", "002", "003")]
    assert "slow" in tables(scene, database)
    _one_worktree_each(scene)
    assert list(scene.databases()) == [database]


def test_a_remove_killed_between_the_worktree_and_the_drop_is_finished_by_the_rerun(
    scene: Scene,
) -> None:
    made = scene.wttui("create", "feat/gone")
    assert made.returncode == 0, made.stderr
    database = f"{scene.project}_feat__gone"
    # Writers of pg_database wait (the rename into the trash), readers do not (the plan): the
    # remove is held right after git removed the worktree, and killed there.
    with psycopg.connect(scene.admin_url) as holder:
        holder.execute("LOCK TABLE pg_database IN SHARE MODE")
        remove = Running(scene, "remove", "feat/gone", "--yes")
        try:
            # Generous: in a loaded full run the remove has taken over 30 s to get there.
            wait_until(lambda: _dropping(scene, database), "the drop to wait", timeout=90)
        except AssertionError as timed_out:  # say what the server was doing (seen under load)
            activity = query(
                scene.admin_url,
                "SELECT pid, wait_event_type, wait_event, state, left(query, 120) "
                "FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = "
                "'client backend'",
            )
            remove.signal_group(signal.SIGKILL)
            remove.finish()
            raise AssertionError(
                f"the remove never reached the drop; sessions: {activity}; "
                f"its stderr: {remove.stderr!r}"
            ) from timed_out
        remove.signal_group(signal.SIGKILL)
        remove.finish()
        for (pid,) in query(
            scene.admin_url,
            "SELECT pid FROM pg_stat_activity WHERE query LIKE %s",
            "ALTER DATABASE%",
        ):  # the statement never reached the server, as if wttui died just before it
            query(scene.admin_url, "SELECT pg_terminate_backend(%s)", pid)
        holder.rollback()
    assert not Path(made.stdout.strip()).exists()
    assert "feat/gone" not in git(scene.root, "worktree", "list")
    assert database in scene.databases()

    shown = scene.wttui("remove", "feat/gone", "--dry-run")
    assert shown.returncode == 0, shown.stderr
    assert f"database   {database} on " in shown.stdout
    assert "goes to the TRASH" in shown.stdout

    again = scene.wttui("remove", "feat/gone", "--yes")
    assert again.returncode == 0, again.stderr
    assert scene.databases() == {}
    trash = json.loads(scene.wttui("trash", "--json").stdout)
    assert [item["original"] for item in trash] == [database]  # `wttui undo` brings it back
    assert not list((scene.root / ".git/wttui/removing").glob("*"))
    missing = scene.wttui("remove", "feat/gone", "--yes")
    assert missing.returncode == 2  # nothing left: the record went with the drop


def _dropping(scene: Scene, database: str) -> bool:
    rows = query(
        scene.admin_url,
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
        f'ALTER DATABASE "{database}" RENAME TO %',
    )
    return bool(rows[0][0])
