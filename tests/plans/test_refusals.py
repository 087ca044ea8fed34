"""Every refusal is raised by the plan, before anyone is asked anything, and changes nothing.

Each case runs the real CLI on a pseudo-terminal, where wttui would ask its question: it must
exit 4 with the rule's sentence without asking, and the repository, the project's databases and
every `.env` must be exactly as they were."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests import steps
from tests.cli.conftest import on_terminal
from tests.repo_factory import git, make_repo, write_files
from tests.state import fingerprint
from wttui.core.urls import with_database
from wttui.providers.postgres import PostgresProvider
from wttui.services import Services

Refusal = Callable[[Path, list[str], str], None]


@pytest.fixture
def refused(pg_admin_url: str) -> Refusal:
    """`refused(root, args, sentence)`: wttui ARGS is refused with `sentence`, unasked, no
    change."""

    def check(root: Path, args: list[str], sentence: str) -> None:
        project = Services.from_path(root).project
        before = fingerprint(root, pg_admin_url, project)
        code, output = on_terminal(root, *args)
        assert code == 4, output
        assert sentence in output, output
        assert "Traceback" not in output
        assert fingerprint(root, pg_admin_url, project) == before

    return check


@pytest.fixture
def shared_repo(tmp_path: Path, pg: PostgresProvider, pg_admin_url: str) -> Iterator[Path]:
    """A repository on the shared strategy: main and feat/a both use its one database."""
    root = make_repo(tmp_path, pg_admin_url, extra_config='strategy = "shared"\n')
    yield root
    pg.drop_database(root.name, force=True)


def test_removing_the_main_worktree(repo: Path, refused: Refusal) -> None:
    refused(repo, ["remove", "main"], "main is the main worktree")


def test_removing_a_dirty_worktree(repo: Path, refused: Refusal) -> None:
    view = steps.create(Services.from_path(repo), "feat/dirty")
    (view.worktree.path / "notes.txt").write_text("work in progress\n")
    refused(repo, ["remove", "feat/dirty"], "has uncommitted changes")


def test_dropping_a_database_with_open_sessions(repo: Path, refused: Refusal) -> None:
    view = steps.create(Services.from_path(repo), "feat/busy")
    assert view.target is not None
    with psycopg.connect(view.target.url):
        refused(repo, ["remove", "feat/busy"], "open session")
        refused(repo, ["reset", "feat/busy"], "open session")


def test_resetting_a_database_another_worktree_uses(repo: Path, refused: Refusal) -> None:
    services = Services.from_path(repo)
    owner = steps.create(services, "feat/owner")
    other = steps.create(services, "feat/other")
    assert owner.target is not None
    write_files(other.worktree.path, {".env": f"DATABASE_URL={owner.target.url}\n"})
    refused(repo, ["reset", "feat/owner"], "shared with feat/other")


def test_resetting_the_shared_database(shared_repo: Path, refused: Refusal) -> None:
    steps.create(Services.from_path(shared_repo), "main")
    refused(shared_repo, ["reset", "main"], "never resets a shared database")


def test_rolling_back_a_migration_without_a_down_part(repo: Path, refused: Refusal) -> None:
    services = Services.from_path(repo)
    view = steps.create(services, "feat/nd")
    (view.worktree.path / "migrations/003_no_down.sql").write_text("CREATE TABLE nd (id int);\n")
    steps.migrate(services, "feat/nd")
    refused(repo, ["rollback", "feat/nd"], "no down")


def test_rolling_back_a_migration_this_worktree_lacks(shared_repo: Path, refused: Refusal) -> None:
    services = Services.from_path(shared_repo)
    steps.create(services, "main")
    feature = steps.create(services, "feat/extra")
    write_files(
        feature.worktree.path,
        {
            "migrations/003_extra.sql": "-- migrate:up\nCREATE TABLE extra (id int);\n"
            "-- migrate:down\nDROP TABLE extra;\n"
        },
    )
    steps.migrate(services, "feat/extra")
    refused(shared_repo, ["rollback", "main"], "is not in this worktree")


def test_rolling_back_another_worktrees_migration_on_a_shared_database(
    shared_repo: Path, refused: Refusal
) -> None:
    services = Services.from_path(shared_repo)
    steps.create(services, "main")  # main applies 001 and 002
    steps.create(services, "feat/a")  # same files, already applied: nothing runs
    refused(shared_repo, ["rollback", "feat/a"], "was applied by main")


def test_a_refused_command_on_a_shared_database(shared_repo: Path, refused: Refusal) -> None:
    steps.create(Services.from_path(shared_repo), "main")
    refused(shared_repo, ["exec", "main", "--", "dropdb", "x"], "matches the rule `dropdb`")


def test_a_hand_set_env_value(repo: Path, refused: Refusal) -> None:
    git(repo, "switch", "-q", "-c", "feat/env")
    (repo / ".gitignore").write_text("")
    write_files(repo, {".env": "DATABASE_URL=postgresql://me:mine@elsewhere/handmade\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "committed env")
    git(repo, "switch", "-q", "main")
    refused(repo, ["create", "feat/env"], "already sets DATABASE_URL")


def test_a_database_that_belongs_to_no_worktree(
    repo: Path, refused: Refusal, pg: PostgresProvider
) -> None:
    services = Services.from_path(repo)
    name = services.strategy_for("feat/lost").plan("feat/lost").name
    pg.create_database(name)
    refused(repo, ["create", "feat/lost"], "belongs to no worktree")


def test_a_typed_name_that_does_not_match_changes_nothing(repo: Path, pg_admin_url: str) -> None:
    services = Services.from_path(repo)
    view = steps.create(services, "feat/keep")
    before = fingerprint(repo, pg_admin_url, services.project)
    code, output = on_terminal(repo, "remove", "feat/keep", answer="not-the-name")
    assert code == 4
    assert "did not match" in output
    assert fingerprint(repo, pg_admin_url, services.project) == before
    assert view.worktree.path.exists()


def test_rollback_on_a_terminal_asks_like_the_app(repo: Path, pg_admin_url: str) -> None:
    services = Services.from_path(repo)
    view = steps.create(services, "feat/ask")
    assert view.target is not None
    before = fingerprint(repo, pg_admin_url, services.project)
    code, output = on_terminal(repo, "rollback", "feat/ask", answer="n")
    assert code == 4
    assert "Roll back 002_create_orders" in output
    assert fingerprint(repo, pg_admin_url, services.project) == before

    code, output = on_terminal(repo, "rollback", "feat/ask", answer="y")
    assert code == 0, output
    with psycopg.connect(with_database(pg_admin_url, view.target.name)) as conn:
        assert conn.execute("SELECT to_regclass('orders')").fetchone() == (None,)
