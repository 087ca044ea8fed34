"""`wttui exec`: a command in a worktree with its database env, refused where it would wipe a
shared database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli import wttui
from tests.repo_factory import make_repo
from wttui.providers.postgres import PostgresProvider


@pytest.fixture
def shared_repo(tmp_path: Path, pg_admin_url: str, pg: PostgresProvider) -> Iterator[Path]:
    root = make_repo(
        tmp_path, pg_admin_url, extra_config='strategy = "shared"\nrefuse = ["touch wiped"]\n'
    )
    yield root
    pg.drop_database(root.name, force=True)


def test_command_gets_the_worktree_and_its_database_url(repo: Path) -> None:
    assert wttui(repo, "create", "feat/x").returncode == 0
    done = wttui(repo, "exec", "feat/x", "--", "sh", "-c", 'pwd; echo "$DATABASE_URL"; exit 3')
    assert done.returncode == 3  # the command's own status
    where, url = done.stdout.split()
    assert where.endswith("feat--x")
    assert url.endswith(f"/{repo.name}_feat__x")


def test_refused_command_on_a_shared_database_does_not_run(shared_repo: Path) -> None:
    for branch in ("epic3", "epic5"):
        assert wttui(shared_repo, "create", branch).returncode == 0
    done = wttui(shared_repo, "exec", "epic3", "--", "touch", "wiped")
    assert done.returncode == 4
    assert "matches the rule `touch wiped`" in done.stderr
    assert "epic5" in done.stderr  # says who else uses it
    assert not list(shared_repo.parent.rglob("wiped"))

    harmless = wttui(shared_repo, "exec", "epic3", "--", "touch", "fine")
    assert harmless.returncode == 0, harmless.stderr


def test_the_same_command_runs_on_an_own_database(repo: Path) -> None:
    (repo / ".wttui.toml").write_text(
        (repo / ".wttui.toml").read_text() + 'refuse = ["touch wiped"]\n'
    )
    assert wttui(repo, "create", "feat/own").returncode == 0
    done = wttui(repo, "exec", "feat/own", "--", "touch", "wiped")
    assert done.returncode == 0, done.stderr
    assert list(repo.parent.rglob("wiped"))


def test_no_command_is_bad_input(repo: Path) -> None:
    done = wttui(repo, "exec", "main", "--")
    assert done.returncode == 2
    assert "No command to run" in done.stderr


def test_psql_connects_to_the_worktrees_database_with_libpq_variables(repo: Path) -> None:
    """Issue 10 item 10: psql ignores DATABASE_URL; exec gives it PGHOST… and a PGPASSFILE."""
    assert wttui(repo, "create", "feat/psql").returncode == 0
    done = wttui(
        repo, "exec", "feat/psql", "--", "psql", "-XAtc", "select current_database(), current_user"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{repo.name}_feat__psql|postgres"


def test_the_password_file_is_private_and_gone_afterwards(repo: Path) -> None:
    assert wttui(repo, "create", "feat/pass").returncode == 0
    script = 'stat -c %a "$PGPASSFILE"; echo "$PGPASSFILE"; env | grep -c "^PGPASSWORD=" || true'
    done = wttui(repo, "exec", "feat/pass", "--", "sh", "-c", script)
    assert done.returncode == 0, done.stderr
    mode, path, password_vars = done.stdout.split()
    assert mode == "600"
    assert password_vars == "0"  # never in the environment
    assert not Path(path).exists()
