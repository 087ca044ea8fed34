"""Doctor says each problem once: a database several worktrees share is checked under the first
of them, naming them all (one fix, not one per worktree); what the status read warns of (a
tracking row deleted by hand, a state table nobody reads) is said once per database; a worktree
not provisioned yet is one line, not a second one about its `.env` lacking the key that the
same sync writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import wttui
from tests.repo_factory import make_repo, run_sql
from tests.state import fingerprint
from wttui.providers.postgres import PostgresProvider
from wttui.services import Services


def checks(root: Path, *args: str) -> list[dict[str, str]]:
    done = wttui(root, "doctor", "--json", *args)
    assert done.returncode in (0, 1), done.stderr
    return list(json.loads(done.stdout)["checks"])


def problems(root: Path) -> list[dict[str, str]]:
    return [c for c in checks(root) if c["status"] != "ok"]


@pytest.fixture
def shared(tmp_path: Path, pg: PostgresProvider, pg_admin_url: str) -> Iterator[Path]:
    """main, epic3 and epic5 on one shared database (seed 2's Americano)."""
    root = make_repo(tmp_path, pg_admin_url, extra_config='strategy = "shared"\n')
    for branch in ("epic3", "epic5"):
        done = wttui(root, "create", branch)
        assert done.returncode == 0, done.stderr
    yield root
    pg.drop_database(root.name, force=True)


def test_a_missing_shared_database_is_one_failure_with_one_fix(
    shared: Path, pg: PostgresProvider, pg_admin_url: str
) -> None:
    pg.drop_database(shared.name, force=True)
    [missing] = problems(shared)
    assert missing["name"] == "database"
    assert missing["status"] == "fail"  # the apps of epic3 and epic5 point at it
    assert missing["detail"] == (
        f"{shared.name} does not exist (used by main, epic3, epic5; the .env of epic3, epic5 "
        "points at it)"
    )
    assert missing["fix"] == "wttui sync main"

    before = fingerprint(shared, pg_admin_url, shared.name)
    dry = wttui(shared, "doctor", "--fix", "--dry-run")
    assert dry.returncode == 1, dry.stderr  # still failing: nothing was fixed
    assert dry.stdout.count("  fix        ") == 1
    assert "Run 1 fix(es)?" in dry.stdout
    assert fingerprint(shared, pg_admin_url, shared.name) == before

    fixed = wttui(shared, "doctor", "--fix", "--yes")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert shared.name in {info.name for info in pg.list_databases()}
    assert not [c for c in problems(shared) if c["name"] == "database"]


def test_what_the_status_read_warns_of_is_said_once_per_database(shared: Path) -> None:
    url = Services.from_path(shared).context_of("epic3").target.url
    run_sql(
        url,
        "DELETE FROM wttui_schema_migrations WHERE version = '002'",
        "CREATE TABLE schema_migrations (version varchar PRIMARY KEY)",
        "INSERT INTO schema_migrations VALUES ('20240101000000')",
    )
    found = problems(shared)
    [gone] = [c for c in found if c["name"] == "tracking row"]
    assert gone["detail"].startswith("`002_create_orders` was applied (by epic3, ")
    assert gone["detail"].endswith(
        "its row is gone from `wttui_schema_migrations`: sql will apply it again"
    )
    assert "record it as applied" in gone["fix"]
    [table] = [c for c in found if c["name"] == "state table"]
    assert table["detail"].startswith("The database holds `schema_migrations` (the state table")
    assert len(found) == 2 + sum(c["name"] == "env" for c in found)  # nothing else, no repeats

    # Asked about one worktree of the three, it is said for that one.
    [only] = [c for c in checks(shared, "epic5") if c["name"] == "tracking row"]
    assert only["worktree"] == "epic5"


def test_a_worktree_not_provisioned_yet_is_one_line(repo: Path, pg: PostgresProvider) -> None:
    made = {}
    for branch in ("feat/a", "feat/b"):
        done = wttui(repo, "create", branch)
        assert done.returncode == 0, done.stderr
        made[branch] = Path(done.stdout.strip().splitlines()[-1])
        pg.drop_database(Services.from_path(repo).context_of(branch).target.name, force=True)
    (made["feat/a"] / ".env").write_text("OTHER=1\n")  # the key sync writes is not there yet
    (made["feat/b"] / ".env").write_text("DATABASE_URL=postgresql://u:pw@localhost:1/elsewhere\n")

    by_worktree: dict[str, list[dict[str, str]]] = {}
    for check in problems(repo):
        by_worktree.setdefault(check["worktree"], []).append(check)
    [a] = by_worktree["feat/a"]
    assert a["detail"].endswith("does not exist: not provisioned yet")
    # feat/b's .env names another database: two problems, and the database line does not
    # claim its .env points at it.
    database, env = by_worktree["feat/b"]
    assert database["detail"].endswith("does not exist: not provisioned yet")
    assert env["name"] == "env"
    assert "is stale: postgresql://u:***@localhost:1/elsewhere" in env["detail"]
