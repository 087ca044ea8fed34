"""Issue 10 item 3: what a hand `git worktree remove` leaves behind is listed with size and last
use, and cleaned after a preview; live worktrees' databases and schemas survive."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli.conftest import on_terminal, wttui
from tests.repo_factory import git, make_repo, run_sql
from tests.state import fingerprint
from wttui.core.naming import worktree_dirname
from wttui.core.urls import with_database
from wttui.orphans import keep
from wttui.providers.postgres import PostgresProvider
from wttui.services import Services


def _hand_remove(root: Path, branch: str) -> None:
    path = root.parent / f"{root.name}-worktrees" / worktree_dirname(branch)
    git(root, "worktree", "remove", "--force", str(path))


def test_orphans_after_a_hand_worktree_remove_are_listed_and_cleaned(
    tmp_path: Path, pg_admin_url: str, pg: PostgresProvider
) -> None:
    root = make_repo(
        tmp_path, pg_admin_url, extra_config='[worktrees."feat/s"]\nstrategy = "schema"\n'
    )
    for branch in ("feat/live", "feat/gone", "feat/s", "feat/s2"):
        assert wttui(root, "create", branch).returncode == 0
    # feat/s2 uses the project's database strategy; make a second schema worktree's leftovers
    # by hand: a schema named like the project's, used by no worktree.
    schema_db = with_database(pg_admin_url, root.name)
    run_sql(schema_db, "CREATE SCHEMA feat_old", "CREATE TABLE feat_old.t (id int)")
    _hand_remove(root, "feat/gone")
    gone = root.parent / f"{root.name}-worktrees" / "feat--s2"
    shutil.rmtree(gone)  # deleted without git: stale metadata (prunable)

    listed = wttui(root, "orphans", "--json")
    assert listed.returncode == 0, listed.stderr
    report = json.loads(listed.stdout)
    found = {(o["kind"], o["name"]) for o in report["orphans"]}
    assert ("database", f"{root.name}_feat__gone") in found
    assert ("schema", f"{root.name}.feat_old") in found
    assert ("worktree metadata", str(gone)) in found
    assert not any(name.endswith(("feat_live", "_main")) for _, name in found)
    assert ("schema", f"{root.name}.feat__s") not in found  # the live schema worktree's
    gone_db = next(o for o in report["orphans"] if o["name"] == f"{root.name}_feat__gone")
    assert gone_db["size_bytes"] > 0
    assert gone_db["last_used"] is not None
    assert gone_db["last_used_is"] == "last modified"
    assert report["disk"]["orphans_bytes"] >= gone_db["size_bytes"]
    assert report["disk"]["live_bytes"] > 0

    before = fingerprint(root, pg_admin_url, root.name)
    code, out = on_terminal(root, "orphans", "--clean", answer="nope")
    assert code == 4
    assert f"drop database {root.name}_feat__gone" in out
    assert "frees" in out
    assert f"Type {root.name} to confirm" in out
    assert fingerprint(root, pg_admin_url, root.name) == before

    code, out = on_terminal(root, "orphans", "--clean", answer=root.name)
    assert code == 0, out
    after = json.loads(wttui(root, "orphans", "--json").stdout)
    assert after["orphans"] == []
    assert not pg.database_exists(f"{root.name}_feat__gone")
    assert pg.database_exists(f"{root.name}_feat__live")
    assert str(gone) not in git(root, "worktree", "list")
    rows = {row["branch"]: row for row in json.loads(wttui(root, "status", "--json").stdout)}
    assert rows["feat/s"]["database"]["exists"] is True  # its schema survived
    assert rows["feat/live"]["migrations"]["applied"] == 2


def test_a_database_named_in_a_live_env_file_is_never_an_orphan(repo: Path) -> None:
    assert wttui(repo, "create", "feat/a").returncode == 0
    assert wttui(repo, "create", "feat/b").returncode == 0
    path_a = repo.parent / f"{repo.name}-worktrees" / "feat--a"
    env_b = (repo.parent / f"{repo.name}-worktrees" / "feat--b" / ".env").read_text()
    _hand_remove(repo, "feat/b")
    (path_a / ".env").write_text(env_b)  # feat/a now points at feat/b's database by hand
    report = json.loads(wttui(repo, "orphans", "--json").stdout)
    assert report["orphans"] == []


def test_clean_for_one_removed_worktree_only(repo: Path, pg: PostgresProvider) -> None:
    for branch in ("feat/one", "feat/two"):
        assert wttui(repo, "create", branch).returncode == 0
    path = repo.parent / f"{repo.name}-worktrees" / "feat--one"
    _hand_remove(repo, "feat/one")
    _hand_remove(repo, "feat/two")
    live = wttui(repo, "orphans", "--clean", "--worktree", "main", "--yes")
    assert live.returncode == 2
    assert "still the worktree" in live.stderr
    done = wttui(repo, "orphans", "--clean", "--worktree", str(path), "--yes", "--quiet")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert not pg.database_exists(f"{repo.name}_feat__one")  # found through the path's record
    assert pg.database_exists(f"{repo.name}_feat__two")
    again = wttui(repo, "orphans", "--clean", "--worktree", str(path), "--yes", "--quiet")
    assert again.returncode == 0  # idempotent


def test_a_keeper_keeps_wttuis_own_names(repo: Path, pg_admin_url: str) -> None:
    """The extension point the template cache and the trash plug into."""
    run_sql(pg_admin_url, f'CREATE DATABASE "{repo.name}_tpl_0123abcd"')

    @keep
    def templates(_services: Services, candidate):  # type: ignore[no-untyped-def]
        return None if "_tpl_" in candidate.name else candidate

    try:
        from wttui.orphans import read_orphans

        report = read_orphans(Services.from_path(repo))
        assert not any("_tpl_" in o.name for o in report.orphans)
    finally:
        from wttui.orphans import KEEPERS

        KEEPERS.remove(templates)
    report = read_orphans(Services.from_path(repo))
    assert any("_tpl_" in o.name for o in report.orphans)


def test_server_down_lists_what_it_can_and_cleans_nothing_unverified(repo: Path) -> None:
    assert wttui(repo, "create", "feat/kept").returncode == 0
    _hand_remove(repo, "feat/kept")  # its database is an orphan, on a server we cannot reach
    gone = repo.parent / "gone-wt"
    git(repo, "worktree", "add", "-q", "-b", "feat/gone", str(gone))
    shutil.rmtree(gone)
    text = (repo / ".wttui.toml").read_text()
    start = text.index('url = "')
    end = text.index('"', start + 7)
    closed = 'url = "postgresql://postgres:pw@127.0.0.1:1/postgres"'
    (repo / ".wttui.toml").write_text(text[:start] + closed + text[end + 1 :])

    listed = wttui(repo, "orphans")
    assert listed.returncode == 3
    assert "could not check: databases and schemas on 127.0.0.1:1" in listed.stderr
    assert str(gone) in listed.stdout  # git's part could still be read

    cleaned = wttui(repo, "orphans", "--clean", "--yes")
    assert cleaned.returncode == 3, cleaned.stderr
    assert str(gone) not in git(repo, "worktree", "list")  # verified: pruned
    (repo / ".wttui.toml").write_text(text)
    left = json.loads(wttui(repo, "orphans", "--json").stdout)
    assert [o["name"] for o in left["orphans"]] == [f"{repo.name}_feat__kept"]  # not dropped


def test_a_removal_hook_names_the_worktree_in_json_on_stdin(
    repo: Path, pg: PostgresProvider
) -> None:
    import subprocess
    import sys

    assert wttui(repo, "create", "feat/agent").returncode == 0
    path = repo.parent / f"{repo.name}-worktrees" / "feat--agent"
    _hand_remove(repo, "feat/agent")
    payload = json.dumps({"hook_event_name": "WorktreeRemove", "worktree_path": str(path)})
    done = subprocess.run(
        [sys.executable, "-m", "wttui", "orphans", "--clean", "--yes", "-q", "--worktree", "-"],
        cwd=repo,
        input=payload,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert not pg.database_exists(f"{repo.name}_feat__agent")
