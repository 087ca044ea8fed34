"""F12 remove and F41 reset: nothing destructive happens to a shared, busy or dirty target."""

from __future__ import annotations

import threading

import psycopg
import pytest

from tests import steps
from tests.repo_factory import git
from wttui.core.logsink import CancelToken, ListSink
from wttui.errors import DatabaseInUse, DirtyWorktree, Refused
from wttui.providers.envfile import write_env
from wttui.services import Services
from wttui.snapshot import read_view


def exists(services: Services, name: str) -> bool:
    return services.server.provider().database_exists(name)


def test_remove_deletes_worktree_and_drops_database(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    view = steps.create(services, "feat/gone", sink=ListSink(), cancel=cancel)
    assert view.target is not None
    steps.remove(services, "feat/gone", sink=sink, cancel=cancel)
    assert not view.worktree.path.exists()
    assert not exists(services, view.target.name)
    assert "feat/gone" not in git(services.root, "worktree", "list")
    assert git(services.root, "branch", "--list", "feat/gone").strip()  # branch kept


def test_dirty_worktree_is_refused_then_forced(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    view = steps.create(services, "feat/dirty", sink=ListSink(), cancel=cancel)
    assert view.target is not None
    (view.worktree.path / "README.md").write_text("changed\n")
    with pytest.raises(DirtyWorktree, match="uncommitted changes"):
        steps.remove(services, "feat/dirty", sink=sink, cancel=cancel)
    assert view.worktree.path.exists()
    assert exists(services, view.target.name)
    steps.remove(services, "feat/dirty", force=True, sink=sink, cancel=cancel)
    assert not view.worktree.path.exists()


def test_keep_db(services: Services, sink: ListSink, cancel: CancelToken) -> None:
    view = steps.create(services, "feat/keep", sink=ListSink(), cancel=cancel)
    assert view.target is not None
    steps.remove(services, "feat/keep", keep_db=True, sink=sink, cancel=cancel)
    assert exists(services, view.target.name)
    assert "--keep-db" in sink.text


def test_database_in_use_is_refused_then_sessions_ended(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    view = steps.create(services, "feat/busy", sink=ListSink(), cancel=cancel)
    assert view.target is not None
    session = psycopg.connect(view.target.url)
    try:
        with pytest.raises(DatabaseInUse, match="1 open session"):
            steps.remove(services, "feat/busy", sink=sink, cancel=cancel)
        assert view.worktree.path.exists()
        steps.remove(services, "feat/busy", force=True, sink=sink, cancel=cancel)
        assert not exists(services, view.target.name)
    finally:
        session.close()


def test_a_session_that_ends_while_the_remove_plans_does_not_refuse_it(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    """The backend of a process that just exited (a `wttui create`, a refresh's read) is still
    listed for a moment: the plan waits a little for it rather than refusing the remove."""
    view = steps.create(services, "feat/brief", sink=ListSink(), cancel=cancel)
    assert view.target is not None
    session = psycopg.connect(view.target.url)
    closer = threading.Timer(0.5, session.close)
    closer.start()
    try:
        steps.remove(services, "feat/brief", sink=sink, cancel=cancel)
    finally:
        closer.join()
    assert not view.worktree.path.exists()
    assert not exists(services, view.target.name)


def test_shared_database_is_never_dropped_or_reset(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    owner = steps.create(services, "feat/owner", sink=ListSink(), cancel=cancel)
    other = steps.create(services, "feat/other", sink=ListSink(), cancel=cancel)
    assert owner.target is not None
    write_env(other.worktree.path / ".env", {"DATABASE_URL": owner.target.url}, force=True)

    assert read_view(services, "feat/owner").shared_with == ("feat/other",)
    with pytest.raises(Refused, match="shared with feat/other"):
        steps.reset(services, "feat/owner", sink=sink, cancel=cancel)
    steps.remove(services, "feat/owner", sink=sink, cancel=cancel)
    assert exists(services, owner.target.name)
    assert "also used by feat/other" in sink.text


def test_main_worktree_cannot_be_removed(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    with pytest.raises(Refused, match="main worktree"):
        steps.remove(services, "main", sink=sink, cancel=cancel)


def test_reset_rebuilds_an_isolated_database(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    view = steps.create(services, "feat/reset", sink=ListSink(), cancel=cancel)
    assert view.target is not None
    with psycopg.connect(view.target.url, autocommit=True) as conn:
        conn.execute("INSERT INTO users (email) VALUES ('a@b.c')")
    steps.reset(services, "feat/reset", sink=sink, cancel=cancel)
    with psycopg.connect(view.target.url) as conn:
        count = conn.execute("SELECT count(*) FROM users").fetchone()
    assert count == (0,)
    assert read_view(services, "feat/reset").counts.applied == 2


def test_sharing_through_localhost_is_still_sharing(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    owner = steps.create(services, "feat/lh", sink=ListSink(), cancel=cancel)
    other = steps.create(services, "feat/lh2", sink=ListSink(), cancel=cancel)
    assert owner.target is not None
    by_name = owner.target.url.replace("127.0.0.1", "localhost")
    write_env(other.worktree.path / ".env", {"DATABASE_URL": by_name}, force=True)
    assert read_view(services, "feat/lh").shared_with == ("feat/lh2",)
    steps.remove(services, "feat/lh", sink=sink, cancel=cancel)
    assert exists(services, owner.target.name)  # never dropped under the other's feet
