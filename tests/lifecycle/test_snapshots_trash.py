"""Snapshots (F24) and soft drops with undo, on the real server, through the real CLI where a
user would type it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests import steps
from tests.cli.conftest import on_terminal, wttui
from tests.conftest import require_component
from tests.lifecycle.conftest import MakeRepo, db_url, rows
from tests.repo_factory import run_sql
from tests.state import fingerprint
from wttui.core.lifecycle_names import OwnedKind, owned_kind, trash_name
from wttui.providers import pg_tools
from wttui.services import Services


def _users(url: str) -> list[tuple[object, ...]]:
    return rows(url, "SELECT email FROM users ORDER BY id")


@pytest.mark.parametrize("method", ["template", "dump"])
def test_snapshot_change_restore_gives_the_data_back(
    lc_repo: MakeRepo, pg_admin_url: str, method: str
) -> None:
    services = lc_repo(f'[snapshots]\nmethod = "{method}"\n')
    root = services.root
    view = steps.create(services, "feat/a")
    assert view.target is not None
    url = db_url(pg_admin_url, view.target.name)
    run_sql(url, "INSERT INTO users (email) VALUES ('kept@x')")

    done = wttui(root, "snapshot", "feat/a", "--name", "good")
    assert done.returncode == 0, done.stderr
    if method == "dump":
        assert "pg_dump 15" in done.stderr  # says which pg_dump, of the server's major
    listed = json.loads(wttui(root, "snapshots", "feat/a", "--json").stdout)
    assert [(s["name"], s["method"], s["migration"]) for s in listed] == [
        ("good", method, "002_create_orders")
    ]

    run_sql(url, "DELETE FROM users", "INSERT INTO users (email) VALUES ('oops@x')")
    restored = wttui(root, "restore", "feat/a", "good", "--yes")
    assert restored.returncode == 0, restored.stderr
    assert _users(url) == [("kept@x",)]
    names = [s["name"] for s in json.loads(wttui(root, "snapshots", "--json").stdout)]
    assert any(name.startswith("before-restore-") for name in names)  # the state before, kept
    trash = json.loads(wttui(root, "trash", "--json").stdout)
    assert [(t["original"], t["reason"], t["present"]) for t in trash] == [
        (view.target.name, "restore", True)
    ]

    deleted = wttui(root, "snapshot", "feat/a", "--delete", "good", "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert "good" not in [s["name"] for s in json.loads(wttui(root, "snapshots", "--json").stdout)]


def test_restore_with_open_sessions_is_refused_naming_them(
    lc_repo: MakeRepo, pg_admin_url: str
) -> None:
    services = lc_repo()
    view = steps.create(services, "feat/a")
    assert view.target is not None
    assert wttui(services.root, "snapshot", "feat/a").returncode == 0
    url = db_url(pg_admin_url, view.target.name)
    before = fingerprint(services.root, pg_admin_url, services.project)
    with psycopg.connect(url + "?application_name=my-dev-server"):
        code, output = on_terminal(services.root, "restore", "feat/a")
    assert code == 4, output
    assert "1 open session(s) (my-dev-server)" in output
    assert fingerprint(services.root, pg_admin_url, services.project) == before


def test_keep_bounds_the_snapshots(lc_repo: MakeRepo) -> None:
    services = lc_repo("[snapshots]\nkeep = 2\n")
    steps.create(services, "feat/a")
    for name in ("one", "two", "three"):
        assert wttui(services.root, "snapshot", "feat/a", "--name", name).returncode == 0
    listed = json.loads(wttui(services.root, "snapshots", "--json").stdout)
    assert [s["name"] for s in listed] == ["three", "two"]


def test_a_pg_dump_older_than_the_server_is_refused_with_the_fix() -> None:
    installed = pg_tools.find_tool("pg_dump", 15)
    with pytest.raises(pg_tools.ToolTooOld) as refused:
        pg_tools.find_tool("pg_dump", installed.major + 3)
    assert f"is older than the server (PostgreSQL {installed.major + 3})" in refused.value.message
    assert f"postgresql-client-{installed.major + 3}" in (refused.value.hint or "")


def test_disk_full_while_dumping_leaves_no_partial_file(
    lc_repo: MakeRepo, pg_admin_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(small)], capture_output=True
    )
    if mounted.returncode:
        require_component("A tmpfs mount (root)", mounted.stderr.decode().strip())
    try:
        monkeypatch.setenv("WTTUI_DATA_DIR", str(small))
        services = lc_repo('[snapshots]\nmethod = "dump"\n')
        view = steps.create(services, "feat/a")
        assert view.target is not None
        run_sql(
            db_url(pg_admin_url, view.target.name),
            "INSERT INTO users (email) SELECT md5(g::text) || md5((g * 7)::text) "
            "FROM generate_series(1, 20000) g",
        )
        done = wttui(services.root, "snapshot", "feat/a", "--name", "big")
        assert done.returncode == 1, done.stderr
        assert "No space left on device" in done.stderr
        assert "Traceback" not in done.stderr
        assert not [p for p in small.rglob("*") if p.suffix in (".dump", ".partial")]
        assert json.loads(wttui(services.root, "snapshots", "--json").stdout) == []
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)


def test_remove_then_undo_brings_back_the_worktree_and_its_data(
    lc_repo: MakeRepo, pg_admin_url: str
) -> None:
    services = lc_repo()
    root = services.root
    view = steps.create(services, "feat/a")
    assert view.target is not None
    url = db_url(pg_admin_url, view.target.name)
    run_sql(url, "INSERT INTO users (email) VALUES ('mine@x')")

    assert wttui(root, "remove", "feat/a", "--yes").returncode == 0
    assert not view.worktree.path.exists()
    trash = json.loads(wttui(root, "trash", "--json").stdout)
    assert len(trash) == 1
    assert owned_kind(trash[0]["name"]) is OwnedKind.TRASH
    assert trash[0]["original"] == view.target.name

    code, output = on_terminal(root, "undo", answer="y")
    assert code == 0, output
    assert view.worktree.path.is_dir()
    back = Services.from_path(root).resolve("feat/a")
    assert back.branch == "feat/a"
    assert _users(url) == [("mine@x",)]
    assert "DATABASE_URL=postgresql://" in (back.path / ".env").read_text()
    assert json.loads(wttui(root, "trash", "--json").stdout) == []


def test_reset_then_undo_swaps_the_old_database_back(lc_repo: MakeRepo, pg_admin_url: str) -> None:
    services = lc_repo()
    view = steps.create(services, "feat/a")
    assert view.target is not None
    url = db_url(pg_admin_url, view.target.name)
    run_sql(url, "INSERT INTO users (email) VALUES ('before-reset@x')")
    assert wttui(services.root, "reset", "feat/a", "--yes").returncode == 0
    assert _users(url) == []
    assert wttui(services.root, "undo", "--yes").returncode == 0
    assert _users(url) == [("before-reset@x",)]
    trash = json.loads(wttui(services.root, "trash", "--json").stdout)
    assert [t["reason"] for t in trash] == ["undo"]  # the reset one, undo-able in turn


def test_undo_is_refused_when_the_branch_has_another_worktree(
    lc_repo: MakeRepo, pg_admin_url: str
) -> None:
    services = lc_repo()
    steps.create(services, "feat/a")
    assert wttui(services.root, "remove", "feat/a", "--yes").returncode == 0
    steps.create(services, "feat/a")  # a new worktree (and database) for the same branch
    before = fingerprint(services.root, pg_admin_url, services.project)
    code, output = on_terminal(services.root, "undo")
    assert code == 4, output
    assert "Branch feat/a now has another worktree" in output
    assert fingerprint(services.root, pg_admin_url, services.project) == before


def test_undo_when_the_trashed_database_is_gone(lc_repo: MakeRepo, pg_admin_url: str) -> None:
    services = lc_repo()
    steps.create(services, "feat/a")
    assert wttui(services.root, "remove", "feat/a", "--yes").returncode == 0
    name = json.loads(wttui(services.root, "trash", "--json").stdout)[0]["name"]
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}"')
    code, output = on_terminal(services.root, "undo")
    assert code == 4, output
    assert "is no longer on" in output
    purged = wttui(services.root, "trash", "purge", "--older-than", "0", "--yes")
    assert purged.returncode == 0, purged.stderr
    assert json.loads(wttui(services.root, "trash", "--json").stdout) == []


def test_trash_purge_and_bad_ages(lc_repo: MakeRepo, pg_admin_url: str) -> None:
    services = lc_repo()
    view = steps.create(services, "feat/a")
    assert view.target is not None
    assert wttui(services.root, "remove", "feat/a", "--yes").returncode == 0
    kept = wttui(services.root, "trash", "purge", "--yes")  # default: older than 7 days
    assert kept.returncode == 0
    assert (
        "nothing in the trash is older than 7d"
        in wttui(services.root, "trash", "purge", "--dry-run").stdout
    )
    bad = wttui(services.root, "trash", "purge", "--older-than", "soon")
    assert bad.returncode == 2
    assert "give an age like 7d" in bad.stderr
    assert wttui(services.root, "trash", "purge", "--older-than", "0", "--yes").returncode == 0
    left = rows(pg_admin_url, "SELECT datname FROM pg_database WHERE datname LIKE 'wttui_trash_%'")
    assert all(view.target.name not in str(name) for (name,) in left)


def test_trash_names_are_recognisable_short_and_never_collide() -> None:
    from datetime import UTC, datetime

    when = datetime(2025, 10, 16, 9, 30, tzinfo=UTC)
    long = "shop_" + "feat_very_long_branch_name_" * 3
    first = trash_name(long, when)
    second = trash_name(long, when, taken={first})
    assert first.startswith("wttui_trash_20251016093000_shop_feat")
    assert len(first.encode()) <= 63
    assert len(second.encode()) <= 63
    assert second != first
