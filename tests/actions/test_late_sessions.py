"""A session opened on a worktree's database after its remove or reset was planned (while the
user read the question): the action is not forced, so the session is not ended — the action
stops with one clear line and changes nothing. A forced plan ends it, as the user asked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from tests import steps
from tests.state import fingerprint
from wttui import actions, plans_remove
from wttui.core.logsink import CancelToken, ListSink
from wttui.errors import DatabaseInUse
from wttui.services import Services


def with_trash_days(repo: Path, days: int) -> Services:
    """The repository's services with `[cleanup] trash_days = days` (0: drops are for good)."""
    config = repo / ".wttui.toml"
    config.write_text(config.read_text() + f"\n[cleanup]\ntrash_days = {days}\n")
    return Services.from_path(repo)


@contextmanager
def session(url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    conn = psycopg.connect(url, autocommit=True)
    try:
        yield conn
    finally:
        conn.close()


@pytest.mark.parametrize("trash_days", [7, 0])
def test_a_session_opened_after_the_remove_plan_stops_it_with_nothing_changed(
    repo: Path, pg_admin_url: str, trash_days: int
) -> None:
    services = with_trash_days(repo, trash_days)
    view = steps.create(services, "feat/late")
    assert view.target is not None
    plan = plans_remove.plan_remove(services, "feat/late")
    assert plan.will_drop
    assert plan.sessions == 0
    before = fingerprint(services.root, pg_admin_url, services.project)
    with session(view.target.url) as conn:
        with pytest.raises(DatabaseInUse) as raised:
            actions.remove(services, plan, sink=ListSink(), cancel=CancelToken())
        assert not conn.closed
        assert conn.execute("SELECT 1").fetchone() == (1,)
    message = str(raised.value)
    assert "1 open session(s)" in message, message
    assert "--force" in message, message
    assert view.worktree.path.exists()
    assert fingerprint(services.root, pg_admin_url, services.project) == before


def test_a_forced_remove_ends_a_session_opened_after_its_plan(services: Services) -> None:
    view = steps.create(services, "feat/forced")
    assert view.target is not None
    plan = plans_remove.plan_remove(services, "feat/forced", force=True)
    with session(view.target.url):
        actions.remove(services, plan, sink=ListSink(), cancel=CancelToken())
    assert not view.worktree.path.exists()
    assert not services.server.provider().database_exists(view.target.name)


@pytest.mark.parametrize("trash_days", [7, 0])
def test_a_session_opened_after_the_reset_plan_stops_it_with_nothing_changed(
    repo: Path, pg_admin_url: str, trash_days: int
) -> None:
    services = with_trash_days(repo, trash_days)
    view = steps.create(services, "feat/late-reset")
    assert view.target is not None
    plan = plans_remove.plan_reset(services, "feat/late-reset")
    before = fingerprint(services.root, pg_admin_url, services.project)
    with session(view.target.url) as conn:
        with pytest.raises(DatabaseInUse) as raised:
            actions.reset(services, plan, sink=ListSink(), cancel=CancelToken())
        assert conn.execute("SELECT 1").fetchone() == (1,)
    message = str(raised.value)
    assert "1 open session(s)" in message, message
    assert "--force" in message, message
    assert fingerprint(services.root, pg_admin_url, services.project) == before


class OpensASession(ListSink):
    """Narration that opens a session on `url` when the remove starts taking the worktree away
    (after the action's last look): the narrowest window there is."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.opened: list[psycopg.Connection[tuple[object, ...]]] = []

    def step(self, text: str) -> None:
        super().step(text)
        if text.startswith("Remove worktree"):
            self.opened.append(psycopg.connect(self.url, autocommit=True))


def test_a_session_opened_once_the_worktree_goes_says_what_was_done_and_a_rerun_finishes(
    services: Services,
) -> None:
    view = steps.create(services, "feat/instant")
    assert view.target is not None
    plan = plans_remove.plan_remove(services, "feat/instant")
    sink = OpensASession(view.target.url)
    try:
        with pytest.raises(DatabaseInUse) as raised:
            actions.remove(services, plan, sink=sink, cancel=CancelToken())
        assert sink.opened[0].execute("SELECT 1").fetchone() == (1,)  # not ended
    finally:
        for conn in sink.opened:
            conn.close()
    assert "Worktree feat/instant was removed, but its database was kept" in raised.value.message
    assert raised.value.hint is not None
    assert "`wttui remove feat/instant` again" in raised.value.hint
    assert not view.worktree.path.exists()
    assert services.server.provider().database_exists(view.target.name)

    steps.remove(services, "feat/instant")  # the same remove again: the database goes
    assert not services.server.provider().database_exists(view.target.name)
