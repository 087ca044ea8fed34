"""The app's reader re-reads only what changed: nothing changed costs no per-worktree work."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests import steps
from tests.repo_factory import git, run_sql
from wttui.core.models import DbStatus
from wttui.core.urls import url_parts
from wttui.services import Services
from wttui.snapshot import Reader


def by_label(snapshot: object) -> dict[str, object]:
    return {view.worktree.label: view for view in snapshot.views}  # type: ignore[attr-defined]


def settled(reader: Reader) -> dict[str, object]:
    """Read until a read finds nothing new: right after a create, the server's statistics still
    move for a moment (stats flushed as sessions end, autovacuum's ANALYZE writing its rows)."""
    last = reader.read(full=True)
    for _ in range(40):
        again = reader.read()
        if again is last:
            return by_label(last)
        last = again
        time.sleep(0.25)
    raise AssertionError("the server's statistics never settled")


def test_a_read_that_finds_nothing_changed_returns_the_previous_snapshot(repo: Path) -> None:
    services = Services.from_path(repo)
    for branch in ("feat/a", "feat/b"):
        steps.create(services, branch)
    reader = Reader(services)
    settled(reader)
    first = reader.read()
    for _ in range(3):
        time.sleep(0.5)
        assert reader.read() is first  # our own reads move nothing either


def test_a_write_to_one_database_re_reads_only_its_worktree(repo: Path) -> None:
    services = Services.from_path(repo)
    a = steps.create(services, "feat/a")
    steps.create(services, "feat/b")
    reader = Reader(services)
    first = settled(reader)
    assert a.target is not None
    run_sql(a.target.url, "INSERT INTO users (email) VALUES ('someone@example.com')")
    second = by_label(reader.read())
    assert second["feat/a"] is not first["feat/a"]
    assert second["feat/b"] is first["feat/b"]
    assert second["main"] is first["main"]


def test_a_changed_file_and_an_action_re_read_only_their_worktree(repo: Path) -> None:
    services = Services.from_path(repo)
    a = steps.create(services, "feat/a")
    b = steps.create(services, "feat/b")
    reader = Reader(services)
    first = settled(reader)

    new = a.worktree.path / "migrations/003_new.sql"
    new.write_text("CREATE TABLE fresh (id int);\n")
    second = by_label(reader.read(changed={new}))
    assert second["feat/a"].counts.pending == 1  # type: ignore[attr-defined]
    assert second["feat/b"] is first["feat/b"]

    third = by_label(reader.read(touched={b.worktree.path}))
    assert third["feat/b"] is not second["feat/b"]
    assert third["feat/a"] is second["feat/a"]


def test_a_commit_in_another_terminal_is_noticed_without_a_full_read(repo: Path) -> None:
    services = Services.from_path(repo)
    a = steps.create(services, "feat/a")
    reader = Reader(services)
    before = by_label(reader.read(full=True))["feat/a"]
    (a.worktree.path / "notes.md").write_text("notes\n")
    git(a.worktree.path, "add", "notes.md")
    git(a.worktree.path, "commit", "-q", "-m", "notes")
    after = by_label(reader.read())["feat/a"]
    assert after.worktree.head != before.worktree.head  # type: ignore[attr-defined]
    assert after.worktree.last_commit_subject == "notes"  # type: ignore[attr-defined]


def test_a_worktree_removed_elsewhere_leaves_the_list(repo: Path) -> None:
    services = Services.from_path(repo)
    gone = steps.create(services, "feat/gone")
    steps.create(services, "feat/stays")
    reader = Reader(services)
    settled(reader)
    git(repo, "worktree", "remove", "--force", str(gone.worktree.path))
    assert set(by_label(reader.read())) == {"main", "feat/stays"}


def test_a_full_read_logs_into_the_server_once_and_each_database_once(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`wttui status` asks the server what changed and lists its databases on one admin
    connection, and reads each worktree's migrations on its own database's connection."""
    services = Services.from_path(repo)
    made = [steps.create(services, branch) for branch in ("feat/a", "feat/b")]
    Reader(services).read(full=True)  # the driver and every adapter loaded: count this read only
    logins: list[str] = []
    real = psycopg.connect

    def counted(conninfo: str = "", **kwargs: Any) -> psycopg.Connection[Any]:
        logins.append(url_parts(conninfo)["database"])
        return real(conninfo, **kwargs)

    monkeypatch.setattr(psycopg, "connect", counted)
    snapshot = Reader(services).read(full=True)
    present = [
        v.target.name for v in snapshot.views if v.db_status is DbStatus.PRESENT and v.target
    ]
    assert {c.target.name for c in made if c.target} <= set(present)
    admin = url_parts(services.server.admin_url())["database"]
    assert sorted(logins) == sorted([admin, *present])
