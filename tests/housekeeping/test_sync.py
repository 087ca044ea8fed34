"""Issue 10 item 2: `wttui sync` brings a worktree in line with its plan — and nothing else —
quietly, idempotently, scriptably; `doctor` fails on a stale `.env` and passes after sync."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from tests.cli.conftest import on_terminal, wttui
from tests.repo_factory import git, make_repo, tables
from tests.state import fingerprint
from wttui.core.urls import with_database
from wttui.providers.envfile import read_env
from wttui.providers.local_cluster import LocalCluster


def _plain_worktree(repo: Path, branch: str) -> Path:
    path = repo.parent / f"plain-{branch.replace('/', '-')}"
    git(repo, "worktree", "add", "-q", "-b", branch, str(path))
    return path


def test_sync_provisions_a_plain_git_worktree_and_then_does_nothing(
    repo: Path, pg_admin_url: str
) -> None:
    path = _plain_worktree(repo, "feat/plain")
    first = wttui(path, "sync", "--json")  # no BRANCH: the worktree it runs in
    assert first.returncode == 0, first.stderr
    [done] = json.loads(first.stdout)
    assert done["database"] == "created"
    assert done["env_changed"] == ["DATABASE_URL"]
    assert done["migrations_applied"] == 2
    database = f"{repo.name}_feat__plain"
    assert read_env(path / ".env")["DATABASE_URL"].endswith(f"/{database}")
    assert tables(with_database(pg_admin_url, database)) >= {"users", "orders"}

    before = fingerprint(repo, pg_admin_url, repo.name)
    again = wttui(repo, "sync", "feat/plain", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)[0] | {"path": ""} == {
        "branch": "feat/plain",
        "path": "",
        "database": "exists",
        "env_changed": [],
        "migrations_applied": 0,
        "error": None,
    }
    assert "in line" in again.stderr
    assert fingerprint(repo, pg_admin_url, repo.name) == before

    quiet = wttui(repo, "sync", "feat/plain", "--quiet")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_sync_never_migrates_an_existing_database(repo: Path, pg_admin_url: str) -> None:
    assert wttui(repo, "create", "feat/keep").returncode == 0
    path = repo.parent / f"{repo.name}-worktrees" / "feat--keep"
    (path / "migrations" / "003_new.sql").write_text("CREATE TABLE pending_one (id int);\n")
    done = wttui(repo, "sync", "feat/keep")
    assert done.returncode == 0, done.stderr
    assert "pending_one" not in tables(with_database(pg_admin_url, f"{repo.name}_feat__keep"))


def test_hand_set_values_need_force_and_a_confirmation(repo: Path, pg_admin_url: str) -> None:
    assert wttui(repo, "create", "feat/hand").returncode == 0
    path = repo.parent / f"{repo.name}-worktrees" / "feat--hand"
    (path / ".env").write_text("DATABASE_URL=postgresql://me:hunter2@db.example:5432/mine\n")
    before = fingerprint(repo, pg_admin_url, repo.name)

    code, out = on_terminal(repo, "sync", "feat/hand")  # refused before any question
    assert code == 4
    assert "Hand-set values" in out
    assert "--force" in out
    assert "hunter2" not in out
    assert "***" in out
    assert fingerprint(repo, pg_admin_url, repo.name) == before

    code, out = on_terminal(repo, "sync", "feat/hand", "--force", answer="n")
    assert code == 4
    assert "Replace the hand-set DATABASE_URL" in out
    assert fingerprint(repo, pg_admin_url, repo.name) == before

    code, out = on_terminal(repo, "sync", "feat/hand", "--force", answer="y")
    assert code == 0, out
    assert read_env(path / ".env")["DATABASE_URL"].endswith(f"/{repo.name}_feat__hand")


def test_dry_run_and_bad_input_change_nothing(repo: Path, pg_admin_url: str) -> None:
    _plain_worktree(repo, "feat/dry")
    before = fingerprint(repo, pg_admin_url, repo.name)
    dry = wttui(repo, "sync", "feat/dry", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "create it, then apply its migrations" in dry.stdout
    assert "set DATABASE_URL=postgresql://postgres:***@" in dry.stdout
    for args, code in (
        (("sync", "no/such/branch"), 2),
        (("sync", "feat/dry", "--all"), 2),
    ):
        done = wttui(repo, *args)
        assert done.returncode == code, done.stderr
        assert len(done.stderr.strip().splitlines()) <= 2  # one line (and a hint), no traceback
    assert fingerprint(repo, pg_admin_url, repo.name) == before


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_after_the_embedded_server_moves_sync_all_fixes_every_env(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"WTTUI_DATA_DIR": str(data)}
    root = make_repo(tmp_path, "")
    (root / ".wttui.toml").write_text('[project]\nname = "moving"\n')
    cluster = LocalCluster(data)
    try:
        for branch in ("feat/a", "feat/b"):
            created = wttui(root, "create", branch, env=env)
            assert created.returncode == 0, created.stderr
        assert wttui(root, "doctor", env=env).returncode == 0
        old_port = cluster.status().port
        cluster.stop()
        state = json.loads((data / "cluster.json").read_text())
        state["port"] = _free_port()  # as when another program took its port
        (data / "cluster.json").write_text(json.dumps(state))
        cluster.start()
        assert cluster.status().port != old_port

        doctor = wttui(root, "doctor", env=env)
        assert doctor.returncode == 1
        assert doctor.stdout.count("is stale") == 2
        assert "wttui sync feat/a" in doctor.stdout

        synced = wttui(root, "sync", "--all", env=env)  # wttui's own values: no --force
        assert synced.returncode == 0, synced.stderr
        port = f":{cluster.status().port}/"
        for branch in ("feat--a", "feat--b"):
            url = read_env(tmp_path / "moving-worktrees" / branch / ".env")["DATABASE_URL"]
            assert port in url
        healthy = wttui(root, "doctor", "--json", env=env)
        assert healthy.returncode == 0, healthy.stdout
        assert json.loads(healthy.stdout)["passed"] is True
    finally:
        cluster.destroy()
