"""`--dry-run` on every command that changes something: it prints the plan (worktree and
branch, server, database, `.env` lines, what it would revert or apply) and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import steps
from tests.cli.conftest import wttui
from tests.repo_factory import git
from tests.state import fingerprint
from wttui.core.urls import url_parts
from wttui.services import Services


@pytest.fixture
def provisioned(repo: Path) -> Services:
    services = Services.from_path(repo)
    view = steps.create(services, "feat/dry")
    (view.worktree.path / "migrations/003_more.sql").write_text(
        "-- migrate:up\nCREATE TABLE more (id int);\n-- migrate:down\nDROP TABLE more;\n"
    )
    git(view.worktree.path, "add", "-A")
    git(view.worktree.path, "commit", "-q", "-m", "more")
    return services


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["create", "feat/new"], ["branch feat/new", "set DATABASE_URL=", ": create"]),
        (["remove", "feat/dry"], ["feat/dry", "goes to the TRASH", "(type ", "confirm"]),
        (["reset", "feat/dry"], ["goes to the TRASH, is re-created and migrated", "snapshot"]),
        (["migrate", "feat/dry"], ["apply      003_more"]),
        (["rollback", "feat/dry"], ["revert     002_create_orders"]),
        (
            ["exec", "feat/dry", "--", "touch", "x"],
            ["command    touch x", "env        DATABASE_URL"],
        ),
    ],
)
def test_dry_run_prints_the_plan_and_changes_nothing(
    provisioned: Services, pg_admin_url: str, args: list[str], says: list[str]
) -> None:
    root = provisioned.root
    before = fingerprint(root, pg_admin_url, provisioned.project)
    if args[0] == "exec":  # wttui's options go before the command's `--`
        done = wttui(root, "exec", "feat/dry", "--dry-run", "--", "touch", "x")
    else:
        done = wttui(root, *args, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "dry run: nothing was changed" in done.stderr
    server = url_parts(pg_admin_url)
    if args[0] != "exec":
        assert f"{server['host']}:{server['port']}" in done.stdout  # the server it would touch
    for text in says:
        assert text in done.stdout, done.stdout
    assert server["password"] not in done.stdout
    assert fingerprint(root, pg_admin_url, provisioned.project) == before
    assert not (provisioned.resolve("feat/dry").path / "x").exists()
