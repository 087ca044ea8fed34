"""Issue 10 item 8: `wttui inspect` shows what migrations created — tables, one table's columns,
indexes and foreign keys, the tool's rows — read-only, names with quotes and unicode included."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import wttui
from tests.repo_factory import run_sql
from tests.state import fingerprint
from wttui.core.urls import with_database


def test_inspect_lists_what_migrations_created(repo: Path, pg_admin_url: str) -> None:
    assert wttui(repo, "create", "feat/look").returncode == 0
    url = with_database(pg_admin_url, f"{repo.name}_feat__look")
    run_sql(url, 'CREATE TABLE "we""ird" (id int)', 'CREATE TABLE "café" (prix numeric DEFAULT 1)')
    before = fingerprint(repo, pg_admin_url, repo.name)

    listed = wttui(repo, "inspect", "feat/look", "--json")
    assert listed.returncode == 0, listed.stderr
    names = {t["name"] for t in json.loads(listed.stdout)}
    assert {"users", "orders", 'we"ird', "café"} <= names

    orders = json.loads(wttui(repo, "inspect", "feat/look", "orders", "--json").stdout)
    assert [c["name"] for c in orders["columns"]] == ["id", "user_id"]
    assert orders["columns"][1]["type"] == "integer"
    assert orders["columns"][1]["nullable"] is True
    assert "nextval" in orders["columns"][0]["default"]
    assert [i["name"] for i in orders["indexes"]] == ["orders_pkey"]
    assert "REFERENCES users(id)" in orders["foreign_keys"][0]["definition"]

    weird = wttui(repo, "inspect", "feat/look", 'we"ird')
    assert weird.returncode == 0, weird.stderr
    assert 'public.we"ird (table)' in weird.stdout
    cafe = wttui(repo, "inspect", "feat/look", "café")
    assert "prix" in cafe.stdout
    assert "numeric" in cafe.stdout

    rows = json.loads(wttui(repo, "inspect", "feat/look", "--migrations", "--json").stdout)
    assert rows["tool"] == "sql"
    assert [r["version"] for r in rows["rows"]] == ["001", "002"]

    missing = wttui(repo, "inspect", "feat/look", "nope")
    assert missing.returncode == 2
    assert "No table 'nope'" in missing.stderr
    assert fingerprint(repo, pg_admin_url, repo.name) == before  # read-only


def test_inspect_a_worktree_without_database_says_how_to_get_one(repo: Path) -> None:
    done = wttui(repo, "inspect", "main")
    assert done.returncode == 1
    assert "does not exist" in done.stderr
    assert "wttui sync main" in done.stderr
