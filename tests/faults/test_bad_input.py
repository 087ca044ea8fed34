"""Hostile and broken input through the real CLI (issue 13, items 2, 3, 8-12; issue 7, item 7):
branch names git refuses, `.env` files that are not text or not files, values that would run
code when the `.env` is sourced, secrets in the conflict diff, sharing hidden behind other
connection-string forms, launchers around refused commands, and reserved schemas."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.faults.scene import Scene, assert_one_error
from tests.repo_factory import git, run_sql
from wttui.core.urls import url_parts, with_database


@pytest.mark.parametrize("branch", ["HEAD", "x.lock/y", "a/b.lock", "@", "a..b", "-x", "a/.b"])
def test_branch_names_git_refuses_are_refused_first(scene: Scene, branch: str) -> None:
    before = scene.state()
    assert_one_error(scene.wttui("create", "--", branch), 2, says="Invalid branch name")
    assert scene.state() == before


def test_branches_that_used_to_collide_get_their_own_database_and_folder(scene: Scene) -> None:
    made = {}
    for branch in ("feat/x", "feat-x", "Feat/X", "Main"):
        done = scene.wttui("create", branch)
        assert done.returncode == 0, done.stderr
        made[branch] = Path(done.stdout.strip())
    assert len(set(made.values())) == 4
    rows = json.loads(scene.wttui("status", "--json").stdout)
    names = [row["database"]["name"] for row in rows]
    assert len(set(names)) == len(rows) == 5  # main + 4
    assert f"{scene.project}_feat__x" in names
    assert f"{scene.project}_main" in names
    assert all(row["database"]["exists"] for row in rows if not row["is_main"])


def test_a_bad_env_file_in_one_worktree_breaks_no_other(scene: Scene) -> None:
    for branch in ("feat/a", "feat/b"):
        assert scene.wttui("create", branch).returncode == 0
    worktrees = scene.base / f"{scene.project}-worktrees"
    (worktrees / "feat--a" / ".env").write_bytes(b"DATABASE_URL=\xff\xfe\n")
    (worktrees / "feat--b" / ".env").unlink()
    (worktrees / "feat--b" / ".env").mkdir()

    status = scene.wttui("status", "--json")
    assert status.returncode == 0, status.stderr
    assert "Traceback" not in status.stderr
    rows = {row["branch"]: row for row in json.loads(status.stdout)}
    assert rows["feat/a"]["env"]["matches"] is False
    assert rows["feat/b"]["env"]["matches"] is False
    assert rows["feat/a"]["database"]["exists"] is True

    created = scene.wttui("create", "feat/c")  # reads every other worktree: still works
    assert created.returncode == 0, created.stderr
    assert (worktrees / "feat--a" / ".env").read_bytes() == b"DATABASE_URL=\xff\xfe\n"


def test_values_written_to_env_never_run_code_when_sourced(scene: Scene, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    scene.config('[env.keys]\nBRANCH = "{branch}"\n')
    refused = f"feat/$(touch${{IFS}}{marker})"  # `${` is expanded by dotenv loaders: refused
    before = scene.state()
    assert_one_error(scene.wttui("create", refused), 2, says="Cannot write BRANCH")
    assert scene.state() == before

    hostile = f"feat/$(touch$IFS{marker});touch$IFS{marker}|x&y>z"
    done = scene.wttui("create", hostile)
    assert done.returncode == 0, done.stderr
    worktree = Path(done.stdout.strip())
    sourced = subprocess.run(
        ["sh", "-c", 'set -a; . ./.env; printf "%s" "$BRANCH"'],
        cwd=worktree,
        capture_output=True,
        text=True,
        check=True,
    )
    assert sourced.stdout == hostile
    assert not marker.exists()


def test_the_env_conflict_shows_only_wttuis_lines_masked(scene: Scene) -> None:
    path = scene.base / "hand-made"
    git(scene.root, "worktree", "add", "-q", "-b", "feat/hand", str(path))
    (path / ".env").write_text(
        "API_KEY=sk-live-4242\n"
        "DATABASE_URL=postgresql://me:handpass@db.internal:5432/mine\n"
        "SESSION_SECRET=abcdef\n"
    )
    done = scene.wttui("create", "feat/hand")
    assert done.returncode == 4, done.stderr
    assert "-DATABASE_URL=postgresql://me:***@db.internal:5432/mine" in done.stderr
    for leaked in ("API_KEY", "sk-live-4242", "SESSION_SECRET", "handpass", scene.password):
        assert leaked not in done.stderr + done.stdout, leaked


def _other_worktree_points_at(scene: Scene, dsn: str) -> None:
    path = scene.base / "hand-made"
    git(scene.root, "worktree", "add", "-q", "-b", "feat/other", str(path))
    (path / ".env").write_text(f"DATABASE_URL={dsn}\n")


@pytest.mark.parametrize(
    "form",
    [
        "host=localhost port={port} dbname={db} user=postgres",
        "'postgresql:///{db}?host=/tmp&port={port}'",
    ],
)
def test_sharing_through_any_connection_string_form_is_seen(scene: Scene, form: str) -> None:
    done = scene.wttui("create", "feat/owner")
    assert done.returncode == 0, done.stderr
    db = f"{scene.project}_feat__owner"
    _other_worktree_points_at(scene, form.format(port=url_parts(scene.admin_url)["port"], db=db))
    run_sql(with_database(scene.admin_url, db), "CREATE TABLE precious (x int)")
    before = scene.state()
    assert_one_error(scene.wttui("reset", "feat/owner", "--yes"), 4, says="feat/other")
    assert scene.state() == before


@pytest.mark.parametrize(
    "command",
    [
        ["env", "touch", "wiped"],
        ["sh", "-c", "echo going; touch wiped"],
        ["sudo", "-u", "nobody", "touch", "wiped"],
        ["npx", "--yes", "touch@5", "wiped"],
        ["npm", "exec", "--", "touch", "wiped"],
    ],
)
def test_refused_commands_behind_launchers_do_not_run(scene: Scene, command: list[str]) -> None:
    path = scene.root / ".wttui.toml"
    path.write_text(
        path.read_text().replace(
            "[database]\n", '[database]\nstrategy = "shared"\nrefuse = ["touch wiped"]\n'
        )
    )
    for branch in ("epic3", "epic5"):
        assert scene.wttui("create", branch).returncode == 0
    before = scene.state()
    done = scene.wttui("exec", "epic3", "--", *command)
    assert_one_error(done, 4, says="matches the rule `touch wiped`")
    assert scene.state() == before


def test_reserved_schemas_are_refused_before_anything_is_made(scene: Scene) -> None:
    path = scene.root / ".wttui.toml"
    path.write_text(path.read_text().replace("[database]\n", '[database]\nstrategy = "schema"\n'))
    before = scene.state()
    for branch in ("public", "pg-toast", "information-schema"):
        assert_one_error(scene.wttui("create", branch), 2, says="reserved")
        assert_one_error(scene.wttui("create", branch, "--adopt"), 2, says="reserved")
        assert scene.state() == before


def test_public_is_never_dropped_whatever_the_worktree_is_called(scene: Scene) -> None:
    path = scene.root / ".wttui.toml"
    path.write_text(path.read_text().replace("[database]\n", '[database]\nstrategy = "schema"\n'))
    assert scene.wttui("create", "feat/a").returncode == 0
    worktree = scene.base / "made-by-git"
    git(scene.root, "worktree", "add", "-q", "-b", "public", str(worktree))  # not through wttui
    run_sql(with_database(scene.admin_url, scene.project), "CREATE TABLE public.keep (x int)")
    before = scene.state()
    assert_one_error(scene.wttui("reset", "public", "--yes"), 4, says="never drops")
    assert scene.state() == before

    removed = scene.wttui("remove", "public", "--yes")
    assert removed.returncode == 0, removed.stderr
    assert "Keeping schema" in removed.stderr
    assert not worktree.exists()
    assert "public.keep" in scene.databases()[scene.project]
