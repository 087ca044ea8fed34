"""`wttui test`'s throwaway `{database}_test` next to the live worktrees: a copy a killed run
left behind is an orphan, said for what it is and cleaned like any other, while the live
worktrees' databases never are; and the name is never a live worktree's own — `feat-test`'s
database is `…_feat_test`, the `_test` of `feat`'s, so `wttui test feat` uses the spare
`…_feat___test` rather than dropping (and re-making) `feat-test`'s data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import steps
from tests.cli.conftest import wttui
from tests.lifecycle.conftest import MakeRepo, db_url, rows
from tests.repo_factory import run_sql


def _exists(admin_url: str, name: str) -> bool:
    return bool(rows(admin_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))


def test_a_killed_runs_test_database_is_an_orphan_said_for_what_it_is_and_cleanable(
    lc_repo: MakeRepo, pg_admin_url: str, tmp_path: Path
) -> None:
    services = lc_repo()
    view = steps.create(services, "feat")
    assert view.target is not None
    live = view.target.name
    run_sql(db_url(pg_admin_url, live), "INSERT INTO users (email) VALUES ('mine@x')")
    started = tmp_path / "started"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wttui",
            "test",
            "feat",
            "--",
            "sh",
            "-c",
            f"touch {started}; sleep 120",
        ],
        cwd=services.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert started.exists(), "the test command never started"
    os.killpg(process.pid, signal.SIGKILL)  # killed: nothing gets to drop the copy
    process.wait(timeout=30)
    left = f"{live}_test"
    assert _exists(pg_admin_url, left)

    done = wttui(services.root, "orphans", "--json")
    assert done.returncode == 0, done.stderr
    [orphan] = json.loads(done.stdout)["orphans"]  # the live database is never one
    assert orphan["name"] == left
    assert orphan["worktree"] == "feat"
    assert orphan["note"] == "left by `wttui test feat`: a killed run, or --keep"
    listed = wttui(services.root, "orphans")
    assert f"database   {left} (" in listed.stdout
    assert "left by `wttui test feat`" in listed.stdout

    cleaned = wttui(services.root, "orphans", "--clean", "--yes")
    assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
    assert not _exists(pg_admin_url, left)
    assert rows(db_url(pg_admin_url, live), "SELECT email FROM users") == [("mine@x",)]
    assert json.loads(wttui(services.root, "orphans", "--json").stdout)["orphans"] == []


@pytest.mark.parametrize("strategy", ["database", "schema"])
def test_wttui_test_never_takes_a_live_worktrees_database_named_like_its_copy(
    lc_repo: MakeRepo, strategy: str
) -> None:
    services = lc_repo(f'strategy = "{strategy}"\n')
    steps.create(services, "feat")
    steps.create(services, "feat-test")
    theirs = services.context_of("feat-test").target
    mine = services.context_of("feat").target
    assert (theirs.schema or theirs.name) == f"{mine.schema or mine.name}_test"  # the clash
    connect = theirs.conninfo or theirs.url
    run_sql(connect, "INSERT INTO users (email) VALUES ('precious@x')")

    dry = wttui(services.root, "test", "feat", "--dry-run", "--", "true")
    assert dry.returncode == 0, dry.stderr
    spare = f"{mine.schema or mine.name}___test"
    assert spare in dry.stdout
    assert "exists: re-made" not in dry.stdout

    done = wttui(services.root, "test", "feat", "--", "sh", "-c", 'echo "url: $DATABASE_URL"')
    assert done.returncode == 0, done.stdout + done.stderr
    output = (done.stdout + done.stderr).splitlines()
    [url] = [line for line in output if line.strip().startswith("url: ")]
    assert url.endswith(f"/{spare}" if strategy == "database" else f"?schema={spare}")
    assert rows(connect, "SELECT email FROM users") == [("precious@x",)]

    kept = wttui(services.root, "test", "feat", "--keep", "--", "true")
    assert kept.returncode == 0, kept.stderr
    found = json.loads(wttui(services.root, "orphans", "--json").stdout)["orphans"]
    assert [(o["name"].rsplit(".", 1)[-1], o["worktree"]) for o in found] == [(spare, "feat")]


def test_cleaning_up_after_a_removed_worktree_takes_its_test_copy_too(
    lc_repo: MakeRepo, pg_admin_url: str
) -> None:
    """What agent tools' remove hooks run (`orphans --clean --worktree X`) takes the copy a
    killed `wttui test X` left, and nothing of the other worktrees."""
    services = lc_repo()
    view = steps.create(services, "feat")
    other = steps.create(services, "other")
    assert view.target is not None
    assert other.target is not None
    left = f"{view.target.name}_test"
    assert wttui(services.root, "test", "feat", "--keep", "--", "true").returncode == 0
    assert wttui(services.root, "test", "other", "--keep", "--", "true").returncode == 0
    removed = wttui(services.root, "remove", "feat", "--yes")
    assert removed.returncode == 0, removed.stderr
    assert _exists(pg_admin_url, left)

    done = wttui(services.root, "orphans", "--clean", "--worktree", "feat", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not _exists(pg_admin_url, left)
    assert _exists(pg_admin_url, other.target.name)
    assert _exists(pg_admin_url, f"{other.target.name}_test")  # other's, not feat's
