"""Issue 10 item 1: wttui's files never dirty a worktree, never block its removal, and the
`.env` backup lives in wttui's data directory."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from tests.cli.conftest import wttui
from tests.repo_factory import git
from wttui.providers.env_record import EnvRecord


def _without_gitignore(repo: Path) -> None:
    git(repo, "rm", "-q", ".gitignore")
    git(repo, "commit", "-q", "-m", "no ignore rules")


def test_a_repository_without_gitignore_stays_clean_after_create(repo: Path) -> None:
    _without_gitignore(repo)
    done = wttui(repo, "create", "feat/clean")
    assert done.returncode == 0, done.stderr
    assert "info/exclude" in done.stderr  # said once, when the pattern was added
    path = Path(done.stdout.strip())
    assert (path / ".env").exists()
    assert git(path, "status", "--porcelain") == ""
    assert "/.env" in (repo / ".git" / "info" / "exclude").read_text().splitlines()
    git(path, "add", "-A")
    assert git(path, "diff", "--cached", "--name-only") == ""  # the password is never staged

    again = wttui(repo, "create", "feat/second")
    assert again.returncode == 0, again.stderr
    assert "info/exclude" not in again.stderr  # said only the first time
    rows = json.loads(wttui(repo, "status", "--json").stdout)
    assert [row["dirty"] for row in rows if row["branch"] != "main"] == [False, False]

    removed = wttui(repo, "remove", "feat/clean", "--yes")
    assert removed.returncode == 0, removed.stderr  # no --force needed
    assert not path.exists()


def test_a_tracked_env_file_changed_by_wttui_is_not_a_change(repo: Path) -> None:
    _without_gitignore(repo)
    (repo / ".env").write_text("APP_NAME=shop\n")
    git(repo, "add", ".env")
    git(repo, "commit", "-q", "-m", "shared settings")
    done = wttui(repo, "create", "feat/tracked")
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    assert git(path, "status", "--porcelain").strip() == "M .env"  # git sees it…
    rows = {row["branch"]: row for row in json.loads(wttui(repo, "status", "--json").stdout)}
    assert rows["feat/tracked"]["dirty"] is False  # …wttui does not count its own file
    (path / "notes.txt").write_text("mine\n")
    refused = wttui(repo, "remove", "feat/tracked", "--yes")
    assert refused.returncode == 4  # a change of the user's still refuses
    (path / "notes.txt").unlink()
    removed = wttui(repo, "remove", "feat/tracked", "--yes")
    assert removed.returncode == 0, removed.stderr


def test_env_backups_go_to_the_data_directory(repo: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"WTTUI_DATA_DIR": str(data)}
    created = wttui(repo, "create", "feat/bak", env=env)
    assert created.returncode == 0, created.stderr
    path = Path(created.stdout.strip())
    (path / ".env").write_text("DATABASE_URL=postgresql://me:hand@db:5432/elsewhere\nA=1\n")
    done = wttui(repo, "sync", "feat/bak", "--force", "--yes", env=env)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in path.glob(".env*")) == [".env"]  # nothing next to it
    backup = EnvRecord(data).backup_path(path / ".env")
    assert "postgresql://me:hand@db:5432/elsewhere" in backup.read_text()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700
