"""What a new user's walkthrough found the CLI saying wrong, said right: a worktree whose
migrations cannot be read shows its error in `status` (never `0 applied  ok`) and sync never
calls it in line; the status table's words (the main worktree's mark, a missing or unreadable
`.env`); bad input outside a repository exits 2; doctor's fix for a hand-set `.env` is the sync
that works; the cleanup names worktree metadata whole; a failed migration says which file failed
at which line; undo is called what it undoes; sync's dry run lists the migrations it applies;
the background template build's log holds its narration, no stray name."""

from __future__ import annotations

import json
import re
import shlex
import time
from pathlib import Path

import psycopg

from tests.cli.conftest import wttui
from tests.repo_factory import git


def created(repo: Path, *args: str) -> Path:
    done = wttui(repo, "create", *args)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip().splitlines()[-1])


def row(table: str, label: str) -> list[str]:
    """The status table's row of `label`, split on its column gaps."""
    line = next(line for line in table.splitlines() if line.startswith(label + " "))
    return re.split(r"\s{2,}", line.strip())


def test_a_migration_read_error_is_shown_and_never_in_line(repo: Path, pg_admin_url: str) -> None:
    created(repo, "own")
    url = pg_admin_url.rsplit("/", 1)[0] + f"/{repo.name}_own"
    with psycopg.connect(url, autocommit=True) as conn:  # a broken tracking table
        conn.execute("ALTER TABLE wttui_schema_migrations RENAME COLUMN version TO v")

    done = wttui(repo, "status")
    assert done.returncode == 0, done.stderr
    assert row(done.stdout, "own")[2] == "error"  # not `0 applied`
    assert re.search(r'^✗ own: .*column "version" does not exist', done.stdout, re.M)

    dry = wttui(repo, "sync", "own", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "in line" not in dry.stdout
    assert re.search(r"^  unread +own .*its migrations cannot be read", dry.stdout, re.M)

    done = wttui(repo, "sync", "own", "--json")
    assert done.returncode == 0, done.stderr
    assert "in line" not in done.stderr
    assert "its migrations cannot be read: PostgreSQL at" in done.stderr
    assert 'column "version" does not exist' in json.loads(done.stdout)[0]["error"]


def test_status_marks_the_main_worktree_and_names_a_missing_or_unreadable_env(
    repo: Path,
) -> None:
    own = created(repo, "own")
    odd = created(repo, "odd")
    (odd / ".env").write_bytes(b"DATABASE_URL=caf\xe9\n")  # not UTF-8
    table = wttui(repo, "status").stdout
    main = row(table, "main (main worktree)")
    assert main[3] == "missing"  # never provisioned: no .env at all
    assert "*" not in table
    assert row(table, "own")[3] == "ok"
    assert row(table, "odd")[3] == "unreadable"
    (own / ".env").unlink()
    assert row(wttui(repo, "status").stdout, "own")[3] == "missing"


def test_outside_a_repository_is_bad_input(tmp_path: Path) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    for cwd, args in ((outside, ("status",)), (tmp_path, ("-C", "/nonexistent", "status"))):
        done = wttui(cwd, *args)
        assert done.returncode == 2, done.stderr
        assert "Not inside a git repository" in done.stderr
        assert "Traceback" not in done.stderr


def test_doctors_fix_for_a_hand_set_env_is_the_sync_that_works(repo: Path) -> None:
    own = created(repo, "own")
    (own / ".env").write_text("DATABASE_URL=postgresql://u:p@localhost:1/elsewhere\n")
    done = wttui(repo, "doctor", "own", "--json")
    assert done.returncode == 1, done.stdout
    env = next(c for c in json.loads(done.stdout)["checks"] if c["name"] == "env")
    assert env["fix"] == "wttui sync own --force --yes"
    fix = wttui(repo, *shlex.split(env["fix"])[1:])  # what the hint says, with no terminal
    assert fix.returncode == 0, fix.stderr
    assert wttui(repo, "doctor", "own").returncode == 0


def test_orphans_cleanup_names_worktree_metadata_whole(repo: Path) -> None:
    gone = created(repo, "gone", "--no-db")
    git(repo, "config", "--unset", "branch.gone.wttuiStrategy")
    for path in sorted(gone.rglob("*"), reverse=True):
        path.unlink() if path.is_file() or path.is_symlink() else path.rmdir()
    gone.rmdir()
    dry = wttui(repo, "orphans", "--clean", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"prune git metadata of {gone}" in dry.stdout
    assert "of metadata" not in dry.stdout


def test_a_failed_migration_names_its_file_and_line(repo: Path) -> None:
    own = created(repo, "own")
    (own / "migrations/003_broken.sql").write_text("SELECT 1;\nINSERT INTO nope VALUES (1);\n")
    done = wttui(repo, "migrate", "own")
    assert done.returncode == 1, done.stderr
    assert (
        'Migration 003_broken.sql failed at line 2: relation "nope" does not exist' in done.stderr
    )
    assert "does not exist failed" not in done.stderr


def test_undo_is_called_what_it_undoes(repo: Path) -> None:
    created(repo, "own")
    assert wttui(repo, "remove", "own", "--yes").returncode == 0
    dry = wttui(repo, "undo", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == "undo remove own"
    listed = json.loads(wttui(repo, "trash", "--json").stdout)
    name = listed[0]["name"]
    dry = wttui(repo, "trash", "restore", name, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == f"restore {repo.name}_own from trash"


def test_sync_dry_run_lists_the_migrations_it_applies(repo: Path) -> None:
    dry = wttui(repo, "sync", "main", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "create it, then apply its migrations" in dry.stdout
    applied = [line.split()[1] for line in dry.stdout.splitlines() if "  apply " in line]
    assert applied == ["001_create_users", "002_create_orders"]


def test_the_background_template_builds_log_has_no_stray_name(repo: Path) -> None:
    done = wttui(repo, "create", "own", env={"WTTUI_NO_BACKGROUND": ""})
    assert done.returncode == 0, done.stderr
    found = re.search(r"\(log: (.+)\)", done.stderr)
    assert found, done.stderr
    log = Path(found[1])
    deadline = time.monotonic() + 60
    while not re.search(r"Template \S+ (ready|is up to date)", log.read_text()):
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    time.sleep(1.0)  # what it printed after its last narration line
    names = {t["name"] for t in json.loads(wttui(repo, "templates", "--json").stdout)}
    assert names
    assert not [line for line in log.read_text().splitlines() if line.strip() in names]
