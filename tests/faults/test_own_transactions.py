"""Faults around migrations that control their own transactions, driven through the installed
CLI as a user meets them: the process killed after the file's COMMIT, two worktrees migrating
one shared database at once, a failure after the COMMIT. Every wait is bounded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from tests import steps
from tests.cli.conftest import wttui
from tests.repo_factory import make_repo
from wttui.migrations import lock
from wttui.providers.postgres import PostgresProvider
from wttui.services import Services

DEADLINE = 30.0
"""Seconds any wait in these tests gives up after (they fail rather than hang)."""

ONCE = (
    "-- migrate:up\n"  # 1
    "BEGIN;\n"  # 2
    "CREATE TABLE once (id int);\n"  # 3
    "INSERT INTO once VALUES (1);\n"  # 4
    "COMMIT;\n"  # 5
)


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def scalar(url: str, query: str) -> object:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(query).fetchone()
    return row[0] if row else None


def start_migrate(root: Path, branch: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "wttui", "migrate", branch],
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def migration_counts(root: Path, branch: str) -> dict[str, object]:
    done = wttui(root, "status", "--json")
    assert done.returncode == 0, done.stderr
    found = [w["migrations"] for w in json.loads(done.stdout) if w["branch"] == branch]
    assert len(found) == 1, done.stdout
    counts: dict[str, object] = found[0]
    return counts


@pytest.fixture
def main_url(repo: Path) -> str:
    view = steps.create(Services.from_path(repo), "main")
    assert view.target is not None
    return view.target.url


def test_killed_after_the_files_commit_is_not_applied_again(repo: Path, main_url: str) -> None:
    (repo / "migrations/003_once.sql").write_text(ONCE + "SELECT pg_sleep(20);\n")
    first = start_migrate(repo, "main")
    try:
        wait_for(
            lambda: scalar(main_url, "SELECT to_regclass('once') IS NOT NULL") is True,
            "the file's COMMIT",
        )
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.communicate(timeout=DEADLINE)

    second = wttui(repo, "migrate", "main")
    assert second.returncode == 4, second.stderr
    assert "003_once did not finish" in second.stderr
    assert "part of it may be in the database" in second.stderr
    assert "wttui resolve main 003 --applied" in second.stderr
    assert "Traceback" not in second.stderr
    assert scalar(main_url, "SELECT count(*) FROM once") == 1  # applied once, not twice

    assert migration_counts(repo, "main")["failed"] == 1

    # The way out the refusal names: the user checked, it all went through.
    dry = wttui(repo, "resolve", "main", "003", "--applied", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "mark       003_once as applied, without running it" in dry.stdout
    assert "writes     wttui_schema_migrations: row 003 set to applied" in dry.stdout
    assert "count 003_once as applied and never run it" in dry.stdout
    resolved = wttui(repo, "resolve", "main", "003", "--applied", "--yes")
    assert resolved.returncode == 0, resolved.stderr
    assert migration_counts(repo, "main")["applied"] == 3
    after = wttui(repo, "migrate", "main")
    assert after.returncode == 0, after.stderr
    assert "No pending migrations" in after.stderr
    assert scalar(main_url, "SELECT count(*) FROM once") == 1


def test_two_worktrees_migrating_one_shared_database_apply_once_and_the_second_waits(
    tmp_path: Path, pg: PostgresProvider, pg_admin_url: str
) -> None:
    """Two worktrees of one repository: the second run waits for the repository's lock (one
    wttui changes a repository at a time), plans again, and finds nothing left to apply. Two
    clones sharing a database meet at the database's advisory lock instead
    (`tests/migrations/test_lock.py`)."""
    root = make_repo(tmp_path, pg_admin_url, extra_config='strategy = "shared"\n')
    try:
        services = Services.from_path(root)
        main = steps.create(services, "main")
        other = steps.create(services, "feat/a")
        assert main.target is not None
        url = main.target.url
        for view in (main, other):
            # The first run holds the locks until the test lets it go: it blocks on a lock the
            # test holds, after the file's COMMIT.
            (view.worktree.path / "migrations/003_once.sql").write_text(
                ONCE + "SELECT pg_advisory_lock(4242);\nSELECT pg_advisory_unlock(4242);\n"
            )
        with psycopg.connect(url, autocommit=True) as gate:
            gate.execute("SELECT pg_advisory_lock(4242)")
            first = start_migrate(root, "main")
            wait_for(lambda: lock.holder(gate) is not None, "the first run's lock")
            second = start_migrate(root, "feat/a")
            said: list[str] = []
            reader = threading.Thread(
                target=lambda: said.extend(iter(second.stderr.readline, "")),  # type: ignore[union-attr]
                daemon=True,
            )
            reader.start()
            wait_for(lambda: any("Waiting for" in line for line in said), "the second to wait")
            gate.execute("SELECT pg_advisory_unlock(4242)")
        out_first = first.communicate(timeout=DEADLINE)
        second.wait(timeout=DEADLINE)
        reader.join(timeout=DEADLINE)
        rows = scalar(url, "SELECT count(*) FROM once")
    finally:
        pg.drop_database(root.name, force=True)
    out_second = "".join(said)
    assert first.returncode == 0, out_first[1]
    assert second.returncode == 0, out_second
    assert "1 migration(s) applied" in out_first[1]
    waiting = next(line for line in said if "Waiting for" in line)
    assert "(wttui migrate main)" in waiting, waiting
    assert "another wttui is changing this repository" in waiting
    assert "Planning again" in out_second
    assert "No pending migrations" in out_second
    assert rows == 1  # applied once


def test_a_failure_after_the_files_commit_is_logged_as_it_happened(
    repo: Path, main_url: str
) -> None:
    (repo / "migrations/003_once.sql").write_text(ONCE + "INSERT INTO nope VALUES (1);\n")
    done = wttui(repo, "migrate", "main")
    assert done.returncode == 1, done.stderr
    assert "003_once.sql:6" in done.stderr
    assert "lines 2–5 were committed and stay in the database" in done.stderr
    assert "rolled back" not in done.stderr
    assert scalar(main_url, "SELECT count(*) FROM once") == 1

    again = wttui(repo, "migrate", "main")
    assert again.returncode == 4, again.stderr
    assert scalar(main_url, "SELECT count(*) FROM once") == 1
