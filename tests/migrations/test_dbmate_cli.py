"""A dbmate repository end to end through the `wttui` CLI: the tool is detected, the real
dbmate applies and rolls back, and wttui records and shows who applied what."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.cli.test_cli import wttui
from tests.migrations.test_tool_adapters_sql import dbmate_binary
from tests.repo_factory import git, write_files


def test_detected_dbmate_migrates_and_rolls_back_through_wttui(repo: Path) -> None:
    binary = dbmate_binary()
    write_files(
        repo,
        {
            "db/migrations/20250101100000_create_users.sql": (
                "-- migrate:up\nCREATE TABLE users (id int);\n-- migrate:down\nDROP TABLE users;\n"
            ),
            "db/migrations/20250102100000_create_orders.sql": (
                "-- migrate:up\nCREATE TABLE orders (id int);\n"
                "-- migrate:down\nDROP TABLE orders;\n"
            ),
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
    assert migrations() == {
        "tool": "dbmate",
        "applied": 1,
        "pending": 1,
        "applied_elsewhere": 0,
        "modified": 0,
        "failed": 0,
    }


def test_a_configured_folder_reaches_the_tool(repo: Path) -> None:
    binary = dbmate_binary()
    write_files(
        repo,
        {
            "sql/schema/20250101100000_create_users.sql": (
                "-- migrate:up\nCREATE TABLE users (id int);\n-- migrate:down\nDROP TABLE users;\n"
            ),
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
