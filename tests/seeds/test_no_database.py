"""Seed 2's "Americano-epic4 → Database: N/A": a worktree with no database, on purpose.

`wttui create BRANCH --no-db` (recorded in git config) or `[worktrees."BRANCH"] strategy =
"none"`: no database is made, no `.env` key written, no migration run; status says so; every
command that needs a database says there is none and changes nothing; and the worktree never
counts as sharing a database — the seed's shared database stays shared by epic3 and epic5 only.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import on_terminal, wttui
from tests.repo_factory import git, make_repo
from tests.state import fingerprint
from wttui.providers.envfile import read_env
from wttui.providers.postgres import PostgresProvider


def status(root: Path) -> dict[str, dict[str, object]]:
    done = wttui(root, "status", "--json")
    assert done.returncode == 0, done.stderr
    return {view["branch"]: view for view in json.loads(done.stdout)}


def databases(pg: PostgresProvider, project: str) -> set[str]:
    return {info.name for info in pg.list_databases() if info.name.startswith(project)}


@pytest.fixture
def americano(tmp_path: Path, pg: PostgresProvider, pg_admin_url: str) -> Iterator[Path]:
    """Seed 2's setup: one shared database for main, epic3 and epic5; epic4 has none."""
    root = make_repo(tmp_path, pg_admin_url, extra_config='strategy = "shared"\n')
    yield root
    pg.drop_database(root.name, force=True)


def test_no_db_worktree_gets_nothing_and_is_recorded_for_this_clone(
    repo: Path, pg: PostgresProvider
) -> None:
    done = wttui(repo, "create", "epic4", "--no-db")
    assert done.returncode == 0, done.stderr
    assert "No database (strategy none)" in done.stdout + done.stderr
    path = Path(done.stdout.strip().splitlines()[-1])
    assert path.is_dir()

    assert databases(pg, repo.name) == set()  # nothing made on the server
    assert "DATABASE_URL" not in read_env(path / ".env")  # no .env key
    # Recorded where only this clone sees it, never in the committed .wttui.toml.
    assert git(repo, "config", "--get", "branch.epic4.wttuiStrategy").strip() == "none"
    assert "none" not in (repo / ".wttui.toml").read_text()
    assert git(repo, "status", "--porcelain") == ""

    view = status(repo)["epic4"]
    database = view["database"]
    assert isinstance(database, dict)
    assert database["strategy"] == "none"
    assert database["exists"] is False
    assert database["name"] is None
    assert database["url"] is None
    assert database["shared_with"] == []
    table = wttui(repo, "status").stdout
    row = next(line for line in table.splitlines() if line.startswith("epic4"))
    assert "none (no database)" in row

    # A later plain create of the same branch agrees: it has a worktree without a database.
    again = wttui(repo, "create", "epic4")
    assert again.returncode == 2
    assert "with no database" in again.stderr
    assert databases(pg, repo.name) == set()


def test_dry_run_says_no_database_and_records_nothing(repo: Path) -> None:
    done = wttui(repo, "create", "epic4", "--no-db", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "database   none (strategy none)" in done.stdout
    assert "git config branch.epic4.wttuiStrategy = none" in done.stdout
    recorded = subprocess.run(
        ["git", "config", "--get-regexp", "^branch\\."], cwd=repo, capture_output=True, text=True
    )
    assert recorded.stdout == ""
    assert "epic4" not in git(repo, "worktree", "list")


def test_never_counted_as_sharing_the_seeds_shared_database(
    americano: Path, pg: PostgresProvider, tmp_path: Path
) -> None:
    for branch in ("epic3", "epic5"):
        assert wttui(americano, "create", branch).returncode == 0
    # epic4 made with plain git and set to none in the committed config, its .env a copy of
    # epic3's (the usual `cp ../Americano-epic3/.env .`): still no database and no sharing.
    (americano / ".wttui.toml").write_text(
        (americano / ".wttui.toml").read_text() + '\n[worktrees."epic4"]\nstrategy = "none"\n'
    )
    git(americano, "commit", "-qam", "epic4 has no database")
    epic4 = tmp_path / "epic4"
    git(americano, "worktree", "add", "-q", "-b", "epic4", str(epic4))
    epic3 = Path(str(status(americano)["epic3"]["path"]))
    (epic4 / ".env").write_bytes((epic3 / ".env").read_bytes())

    views = status(americano)
    shared = {branch: view["database"]["shared_with"] for branch, view in views.items()}  # type: ignore[index]
    assert shared["epic4"] == []
    assert sorted(shared["epic3"]) == ["epic5", "main"]
    assert "epic4" not in shared["main"]
    assert "epic4" not in shared["epic5"]
    assert views["epic4"]["database"]["strategy"] == "none"  # type: ignore[index]
    assert databases(pg, americano.name) == {americano.name}  # the one shared database only


def test_commands_needing_a_database_say_it_has_none_and_change_nothing(
    repo: Path, pg_admin_url: str
) -> None:
    assert wttui(repo, "create", "epic4", "--no-db").returncode == 0
    before = fingerprint(repo, pg_admin_url, repo.name)
    for args in (["migrate", "epic4"], ["rollback", "epic4"], ["reset", "epic4"]):
        code, output = on_terminal(repo, *args)  # fails if it asks anything
        assert code == 2, output
        assert "epic4 has no database (strategy none)" in output
        assert "Traceback" not in output
    assert fingerprint(repo, pg_admin_url, repo.name) == before

    # exec still runs the command there, with no database env.
    done = wttui(repo, "exec", "epic4", "--", "sh", "-c", 'echo "url=${DATABASE_URL-unset}"')
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "url=unset"


def test_remove_drops_nothing(repo: Path, pg: PostgresProvider) -> None:
    assert wttui(repo, "create", "feat/own").returncode == 0
    assert wttui(repo, "create", "epic4", "--no-db").returncode == 0
    before = databases(pg, repo.name)
    done = wttui(repo, "remove", "epic4", "--dry-run")
    assert "database   none (strategy none): nothing to drop" in done.stdout
    done = wttui(repo, "remove", "epic4", "--yes")
    assert done.returncode == 0, done.stderr
    assert databases(pg, repo.name) == before == {f"{repo.name}_feat__own"}
    assert "epic4" not in git(repo, "worktree", "list")


def test_a_recorded_strategy_wttui_does_not_know_is_bad_config(repo: Path) -> None:
    git(repo, "config", "branch.epic9.wttuiStrategy", "nothing")
    done = wttui(repo, "status")
    assert done.returncode == 2
    assert "git config branch.epic9.wttuiStrategy: 'nothing' is not supported" in done.stderr
    assert "Traceback" not in done.stderr
