"""The template cache (F26) on the real server: a cloned database is what a replay gives, a
clone applies only the missing migrations, a changed migration never matches, stale templates
are pruned, templates are frozen and recognised as wttui's own."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import psycopg
import pytest

from tests import steps
from tests.cli.conftest import wttui
from tests.lifecycle.conftest import MakeRepo, db_url, many_migrations, rows
from tests.migrations.tools.conftest import dbmate_binary
from tests.repo_factory import BASE_MIGRATIONS, git, write_files
from wttui.actions.templates import build
from wttui.core.lifecycle_names import OwnedKind, owned_kind
from wttui.core.logsink import CancelToken, ListSink
from wttui.services import Services

DBMATE = '[migrations]\ntool = "dbmate"\ndir = "migrations"\n'


def _state(url: str, tool_table: str) -> dict[str, object]:
    """Tables, the tool's tracking rows and wttui's side-table rows (times left out: two
    replays differ there too)."""
    tables = rows(
        url,
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
    )
    columns = "version, name, checksum, status, applied_by_worktree, applied_by_branch"
    tracking = (
        rows(url, f"SELECT {columns} FROM {tool_table} ORDER BY 1")
        if tool_table == "wttui_schema_migrations"
        else rows(url, f"SELECT * FROM {tool_table} ORDER BY 1")
    )
    side = []
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('wttui.applied_migrations')").fetchone() != (None,):
            side = [
                tuple(row)
                for row in conn.execute(
                    "SELECT tool, scope, version, name, checksum, worktree, branch, commit, "
                    "by_wttui FROM wttui.applied_migrations ORDER BY version"
                ).fetchall()
            ]
    data = rows(url, "SELECT count(*) FROM users")
    return {"tables": tables, "tracking": tracking, "side": side, "users": data}


@pytest.mark.parametrize(
    ("config", "table"),
    [("", "wttui_schema_migrations"), (DBMATE, "schema_migrations")],
    ids=["sql-runner", "dbmate"],
)
def test_a_cloned_database_is_what_a_replay_gives(
    lc_repo: MakeRepo, pg_admin_url: str, config: str, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if config:
        monkeypatch.setenv(
            "PATH", f"{Path(dbmate_binary()).parent}{os.pathsep}{os.environ['PATH']}"
        )
    services = lc_repo(config)
    git(services.root, "branch", "feat/replay")
    git(services.root, "branch", "feat/clone")
    replay_sink = ListSink()
    replayed = steps.create(services, "feat/replay", sink=replay_sink)
    assert "no template holds a prefix" in replay_sink.text
    assert build(services, sink=ListSink(), cancel=CancelToken()) is not None

    clone_sink = ListSink()
    cloned = steps.create(services, "feat/clone", sink=clone_sink)
    assert "Cloning template wttui_tpl_" in clone_sink.text
    assert "(2 of 2 migrations" in clone_sink.text
    assert replayed.target is not None
    assert cloned.target is not None
    a = _state(db_url(pg_admin_url, replayed.target.name), table)
    b = _state(db_url(pg_admin_url, cloned.target.name), table)
    assert a["tables"] == b["tables"]
    assert a["users"] == b["users"]
    # Each database names its own worktree as the applier, exactly as its own replay would.
    mine = {"feat/replay": "feat/clone", replayed.worktree.head: cloned.worktree.head}
    assert [tuple(mine.get(v, v) for v in row) for row in a["tracking"]] == b["tracking"]
    assert [tuple(mine.get(v, v) for v in row) for row in a["side"]] == b["side"]
    if config:
        assert len(b["side"]) == 2
        assert all(row[6] == "feat/clone" for row in b["side"])


def test_a_cached_create_applies_only_the_missing_migrations(
    lc_repo: MakeRepo, pg_admin_url: str
) -> None:
    """300 migrations on main: the template holds them; a branch with two more gets a clone
    and the tool runs for those two only (timing itself is bench/'s P3)."""
    services = lc_repo(migrations=many_migrations(300))
    root = services.root
    git(root, "checkout", "-q", "-b", "feat/more")
    write_files(root, {f"migrations/{k}": v for k, v in many_migrations(2, start=301).items()})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "two more")
    git(root, "checkout", "-q", "main")

    built = ListSink()
    build(services, sink=built, cancel=CancelToken())
    assert built.text.count("Applying ") == 300  # the template replayed main once

    sink = ListSink()
    view = steps.create(services, "feat/more", sink=sink)
    assert "(300 of 302 migrations" in sink.text, sink.text[:2000]
    applied = [line for line in sink.text.splitlines() if line.startswith("Applying ")]
    assert [line.split()[1] for line in applied] == ["0301_table_301.sql", "0302_table_302.sql"]
    assert "against a replay of 300 migrations" in sink.text or "too few" in sink.text
    assert view.counts.applied == 302
    assert view.target is not None
    url = db_url(pg_admin_url, view.target.name)
    assert rows(url, "SELECT count(*) FROM t150") == [(5,)]


def test_a_changed_migration_never_matches_a_template(lc_repo: MakeRepo) -> None:
    services = lc_repo()
    build(services, sink=ListSink(), cancel=CancelToken())
    root = services.root
    git(root, "checkout", "-q", "-b", "feat/edit")
    write_files(
        root,
        {
            "migrations/002_create_orders.sql": BASE_MIGRATIONS["002_create_orders.sql"].replace(
                "user_id int", "user_id bigint"
            )
        },
    )
    git(root, "commit", "-qam", "edit 002")
    git(root, "checkout", "-q", "main")
    sink = ListSink()
    steps.create(services, "feat/edit", sink=sink)
    # 001 alone has no template (only main's whole set was built): a replay, never a wrong clone
    assert "Cloning" not in sink.text
    assert "no template holds a prefix of these 2 migrations" in sink.text


def test_templates_are_frozen_listed_and_pruned(lc_repo: MakeRepo, pg_admin_url: str) -> None:
    services = lc_repo()
    root = services.root
    first = build(services, sink=ListSink(), cancel=CancelToken())
    assert first is not None
    assert owned_kind(first) is OwnedKind.TEMPLATE
    assert len(first.encode()) <= 63
    with pytest.raises(psycopg.OperationalError, match="not currently accepting connections"):
        psycopg.connect(db_url(pg_admin_url, first)).close()

    write_files(root, {"migrations/003_flag.sql": "ALTER TABLE users ADD COLUMN flag bool;\n"})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "003")
    sink = ListSink()
    second = build(services, sink=sink, cancel=CancelToken(), prune=False)
    assert second is not None
    assert second != first
    assert f"from {first} (2 of 3 migrations)" in sink.text  # built on the older one

    listed = json.loads(wttui(root, "templates", "--json").stdout)
    assert {t["name"]: t["migrations"] for t in listed} == {first: 2, second: 3}
    assert all(t["replay_seconds"] is not None for t in listed)

    dry = wttui(root, "templates", "prune", "--dry-run")
    assert dry.returncode == 0
    assert f"drop       template {first}" in dry.stdout
    assert wttui(root, "templates", "prune", "--yes").returncode == 0
    assert [t["name"] for t in json.loads(wttui(root, "templates", "--json").stdout)] == [second]


def test_background_build_after_create(lc_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """`wttui create` starts the build in a background process and returns."""
    services = lc_repo()
    monkeypatch.delenv("WTTUI_NO_BACKGROUND")
    done = wttui(services.root, "create", "feat/bg")
    assert done.returncode == 0, done.stderr
    assert "updating the template cache in the background" in done.stderr
    log = Path(done.stderr.split("(log: ")[1].split(")")[0])
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Services.from_path(services.root).lifecycle.templates().listing():
            text = log.read_text()
            if "ready" in text:
                break
        time.sleep(0.3)
    assert "ready (2 migrations)" in log.read_text()
    assert sys.executable  # the background process ran this interpreter's wttui
