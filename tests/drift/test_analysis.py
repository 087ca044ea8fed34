"""`wttui drift` on a real repository: branches read through git, SQL parsed by PostgreSQL's
parser, the report a team pastes into its document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.app.conftest import loaded, wait_until
from tests.cli.test_cli import wttui
from tests.repo_factory import git, write_files
from wttui.drift.sql_changes import table_changes
from wttui.services import Services
from wttui.snapshot_reports import read_drift
from wttui.ui.app import make_app
from wttui.ui.panes.migrations import MigrationsPane

MAIN = {
    "migrations/20250101100000_create_users.sql": (
        "-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY, email text);\n"
        "-- migrate:down\nDROP TABLE users;\n"
    ),
    "migrations/20250105100000_create_orders.sql": "CREATE TABLE orders (id int);\n",
}


def branch(root: Path, name: str, files: dict[str, str], *, worktree: bool = False) -> None:
    git(root, "switch", "-q", "-c", name, "main")
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", name)
    git(root, "switch", "-q", "main")
    if worktree:
        git(root, "worktree", "add", "-q", str(root.parent / name.replace("/", "-")), name)


@pytest.fixture
def drift_repo(repo: Path) -> Path:
    """Main plus three branches: two change `users.flag`, one collides and is out of order."""
    write_files(repo, MAIN)
    for old in ("001_create_users.sql", "002_create_orders.sql"):
        (repo / "migrations" / old).unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "timestamped migrations")
    branch(
        repo,
        "feat/flags",
        {"migrations/20250110100000_add_user_flag.sql": "ALTER TABLE users ADD flag bool;\n"},
        worktree=True,
    )
    branch(
        repo,
        "feat/billing",
        {
            "migrations/20250108100000_flag_users.sql": (
                "ALTER TABLE users ADD COLUMN flag int;\nUPDATE orders SET id = id;\n"
            ),
            "migrations/20250109100000_fix.sql": "SELECT 1;\n",
        },
    )
    branch(
        repo,
        "feat/late",
        {
            "migrations/20250103100000_add_index.sql": "CREATE INDEX ON orders (id);\n",
            "migrations/20250105100000_create_refunds.sql": "CREATE TABLE refunds (id int);\n",
        },
    )
    return repo


def test_report_finds_collisions_order_conflicts_and_names(drift_repo: Path) -> None:
    report = read_drift(Services.from_path(drift_repo))
    assert report.main == "main"

    [collision] = report.collisions
    assert collision.version == "20250105100000"
    assert ("feat/late", "create_refunds") in collision.uses
    assert ("main", "create_orders") in collision.uses
    assert {name for _, name in collision.uses} == {"create_orders", "create_refunds"}

    late = {(o.branch, o.version) for o in report.out_of_order}
    assert late == {("feat/late", "20250103100000")}  # older than main's newest (0105)

    conflicts = {c.branches: c for c in report.conflicts}
    users = conflicts[("feat/billing", "feat/flags")]
    assert users.tables == ("users",)
    assert users.columns == ("users.flag",)
    # feat/late indexes orders, feat/billing only updates its rows: no DDL on it, no conflict
    assert ("feat/billing", "feat/late") not in conflicts

    assert [b for b, _ in report.merge_order] == ["feat/late", "feat/billing", "feat/flags"]
    assert [(w.name, w.reason) for w in report.names] == [("fix", "says nothing about the change")]


def test_cli_prints_markdown_and_json(drift_repo: Path) -> None:
    md = wttui(drift_repo, "drift")
    assert md.returncode == 0, md.stderr
    assert "# Migration drift (main branch: `main`)" in md.stdout
    assert "| feat/billing & feat/flags | users | users.flag |" in md.stdout
    assert "| 1 | feat/late | `20250103100000_add_index` |" in md.stdout

    data = json.loads(wttui(drift_repo, "drift", "--format", "json").stdout)
    assert data["merge_order"][0] == ["feat/late", "20250103100000_add_index"]
    assert data["conflicts"][0]["branches"] == ["feat/billing", "feat/flags"]


def test_not_parsed_is_said_not_guessed(repo: Path) -> None:
    """Knex migrations are JavaScript: listed by Knex's adapter, not parsed as SQL."""
    write_files(
        repo,
        {
            "knexfile.js": "module.exports = {};\n",
            "migrations/20250101120000_create_users.js": "exports.up = () => {};\n",
        },
    )
    for old in ("001_create_users.sql", "002_create_orders.sql"):
        (repo / "migrations" / old).unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "knex")
    branch(repo, "feat/js", {"migrations/20250102120000_add_field.js": "exports.up = () => {};\n"})
    report = read_drift(Services.from_path(repo))
    assert report.tool == "knex"
    assert report.unparsed == (("feat/js", "migrations/20250102120000_add_field.js"),)
    [row] = report.migrations
    assert (row.label, row.parsed, row.branches) == (
        "20250102120000_add_field.js",
        False,
        ("feat/js",),
    )


def test_table_changes_are_ddl_on_the_table_itself() -> None:
    found = table_changes(
        "ALTER TABLE public.users ADD COLUMN flag bool, DROP COLUMN old;\n"
        "CREATE TABLE orders (id int REFERENCES users (id));\n"
        "ALTER TABLE payments ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);\n"
        "CREATE INDEX ON invoices (id);\n"
        "ALTER TABLE carts RENAME COLUMN total TO amount;\n"
        "UPDATE accounts SET flag = true;\n"
        "CREATE VIEW active AS SELECT * FROM members;\n"
        "DROP TABLE legacy;\n"
    )
    assert found.added == {"orders", "active"}
    assert found.changed == {
        "users": {"flag", "old"},
        "payments": set(),
        "invoices": set(),
        "carts": {"total"},
        "legacy": set(),
    }


async def test_drift_key_shows_the_selected_branch(drift_repo: Path) -> None:
    app = make_app(Services.from_path(drift_repo))
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("j")
        await wait_until(
            pilot, lambda: app.selected is not None and not app.selected.worktree.is_main
        )
        pane = app.query_one(MigrationsPane)
        await pilot.press("D")
        await wait_until(pilot, lambda: pane.drift_shown, what="the drift view")
        table = pane.table
        rows = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "changes users like feat/billing does" in rows
        assert "merge 3 of 3 (oldest new migration first)" in rows
        assert pane.border_subtitle == "drift · D: back to migrations"

        await pilot.press("D")
        await pilot.pause()
        assert not pane.drift_shown
        assert table.columns  # the migrations again
        assert "State" in [str(c.label) for c in table.columns.values()]
