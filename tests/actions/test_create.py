"""F11 create against real git and PostgreSQL: the happy path, refusals, and resuming."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests import steps
from tests.repo_factory import git, tables, unreachable_services, write_files
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import DbStatus, MigrationState
from wttui.errors import (
    AdoptableDatabase,
    DatabaseUnavailable,
    EnvConflict,
    InvalidInput,
    MigrationFailed,
)
from wttui.providers.envfile import read_env
from wttui.services import Services
from wttui.snapshot import read_view


def worktree_list(root: Path) -> str:
    return git(root, "worktree", "list", "--porcelain")


def project_databases(services: Services) -> list[str]:
    return [
        info.name
        for info in services.server.provider().list_databases()
        if info.name.startswith(services.project + "_")
    ]


def test_create_makes_worktree_database_env_and_migrates(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    view = steps.create(services, "feat/user-auth", sink=sink, cancel=cancel)

    path = view.worktree.path
    assert path == services.config.worktrees_path(services.root) / "feat--user-auth"
    assert (path / "README.md").exists()
    assert git(services.root, "branch", "--list", "feat/user-auth").strip()
    assert view.target is not None
    assert view.target.name == f"{services.project}_feat__user_auth"
    assert view.db_status is DbStatus.PRESENT
    url = read_env(path / ".env")["DATABASE_URL"]
    assert url.endswith(f"/{view.target.name}")
    assert {"users", "orders"} <= tables(url)
    assert view.counts.applied == 2
    assert view.counts.pending == 0
    assert any("Creating database" in step for step in sink.steps)


def test_create_from_base_ref_and_existing_branch(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    root = services.root
    git(root, "branch", "old-base")
    write_files(root, {"migrations/003_later.sql": "CREATE TABLE later (id int);\n"})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "later")
    view = steps.create(services, "feat/x", base="old-base", sink=sink, cancel=cancel)
    assert not (view.worktree.path / "migrations/003_later.sql").exists()
    assert view.counts.applied == 2

    git(root, "branch", "existing")
    view = steps.create(services, "existing", sink=sink, cancel=cancel)
    assert view.worktree.branch == "existing"
    assert view.counts.applied == 3


@pytest.mark.parametrize("branch", ["has space", "quote'd", 'dq"x', "a..b", "x" * 241])
def test_invalid_branch_changes_nothing(
    services: Services, sink: ListSink, cancel: CancelToken, branch: str
) -> None:
    before = worktree_list(services.root)
    with pytest.raises(InvalidInput, match="Invalid branch name"):
        steps.create(services, branch, sink=sink, cancel=cancel)
    assert worktree_list(services.root) == before
    assert project_databases(services) == []


def test_unicode_slash_and_long_branch_names_work(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    long_branch = "feat/" + "very-long-branch-name-" * 8
    for branch in ("feat/café", long_branch):
        view = steps.create(services, branch, sink=sink, cancel=cancel)
        assert view.target is not None
        assert len(view.target.name.encode()) <= 63
        assert view.db_status is DbStatus.PRESENT
    assert len(project_databases(services)) == 2


def test_branch_with_a_finished_worktree_is_refused(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    steps.create(services, "feat/a", sink=sink, cancel=cancel)
    before = worktree_list(services.root)
    with pytest.raises(InvalidInput, match="already has a worktree"):
        steps.create(services, "feat/a", sink=ListSink(), cancel=cancel)
    assert worktree_list(services.root) == before


def test_worktree_made_outside_wttui_is_provisioned(
    services: Services, sink: ListSink, cancel: CancelToken, tmp_path: Path
) -> None:
    git(services.root, "worktree", "add", "-q", "-b", "handmade", str(tmp_path / "handmade"))
    view = steps.create(services, "handmade", sink=sink, cancel=cancel)
    assert view.worktree.path == tmp_path / "handmade"
    assert view.db_status is DbStatus.PRESENT
    assert "Provisioning handmade" in sink.text


def test_unowned_existing_database_is_offered_for_adoption(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    name = f"{services.project}_feat__adopt"
    services.server.provider().create_database(name)
    before = worktree_list(services.root)
    with pytest.raises(AdoptableDatabase) as info:
        steps.create(services, "feat/adopt", sink=sink, cancel=cancel)
    assert info.value.database == name
    assert worktree_list(services.root) == before
    view = steps.create(services, "feat/adopt", sink=ListSink(), cancel=cancel, adopt=True)
    assert view.target is not None
    assert view.target.name == name
    assert view.counts.applied == 2


def test_server_down_changes_nothing(repo: Path, sink: ListSink, cancel: CancelToken) -> None:
    services = unreachable_services(repo)
    before = worktree_list(repo)
    with pytest.raises(DatabaseUnavailable) as info:
        steps.create(services, "feat/down", sink=sink, cancel=cancel)
    assert "127.0.0.1:1" in info.value.message
    assert "pw" not in str(info.value)
    assert worktree_list(repo) == before


def test_failed_migration_then_rerun_finishes_without_duplicating(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    root = services.root
    git(root, "switch", "-q", "-c", "feat/broken")
    write_files(
        root,
        {"migrations/003_broken.sql": "CREATE TABLE t3 (id int);\nINSERT INTO nope VALUES (1);\n"},
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "broken")
    git(root, "switch", "-q", "main")

    with pytest.raises(MigrationFailed) as info:
        steps.create(services, "feat/broken", sink=sink, cancel=cancel)
    assert "Migration 003_broken.sql failed at line 2" in info.value.message
    view = read_view(services, "feat/broken")
    assert [m.state for m in view.migrations][-1] is MigrationState.FAILED
    url = read_env(view.worktree.path / ".env")["DATABASE_URL"]
    assert "t3" not in tables(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE sentinel (id int)")

    (view.worktree.path / "migrations/003_broken.sql").write_text("CREATE TABLE t3 (id int);\n")
    resumed = ListSink()
    view = steps.create(services, "feat/broken", sink=resumed, cancel=cancel)
    assert "Resuming create of feat/broken" in resumed.text
    assert {"t3", "sentinel"} <= tables(url)
    assert view.counts.applied == 3
    assert git(root, "worktree", "list").count("feat/broken") == 1
    with pytest.raises(InvalidInput, match="already has a worktree"):
        steps.create(services, "feat/broken", sink=ListSink(), cancel=cancel)


def test_hand_set_env_value_needs_force(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    root = services.root
    git(root, "switch", "-q", "-c", "feat/env")
    write_files(root, {".env.example": ""})
    (root / ".gitignore").write_text("")
    write_files(root, {".env": "DATABASE_URL=postgresql://me:mine@elsewhere/handmade\nKEEP=1\n"})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "committed env")
    git(root, "switch", "-q", "main")

    before = worktree_list(root)
    with pytest.raises(EnvConflict) as info:
        steps.create(services, "feat/env", sink=sink, cancel=cancel)
    assert "mine" not in info.value.diff
    assert "KEEP" not in info.value.diff  # only the lines wttui would change
    # Refused at the plan: no worktree, no database, nothing for a later migrate to fill.
    assert worktree_list(root) == before
    assert project_databases(services) == []

    view = steps.create(services, "feat/env", sink=ListSink(), cancel=cancel, force_env=True)
    env_path = view.worktree.path / ".env"
    values = read_env(env_path)
    assert values["KEEP"] == "1"
    assert view.target is not None
    assert values["DATABASE_URL"] == view.target.url
