"""Sqitch (MIGRATION-TOOLS.md §13) against a real database, with the real `sqitch` CLI (Debian
`sqitch` + `libdbd-pg-perl`; it runs scripts with `psql`): a project made with `sqitch init`
and `sqitch add`, deployed and reverted through `Runner`, its registry (`sqitch.changes`,
`sqitch.events`) read the way the Migrations pane reads it and checked against `sqitch status`.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.conftest import require_component
from tests.migrations.tools.conftest import A, E, F, M, P, context_for, states, write
from wttui.core.logsink import CancelToken, ListSink
from wttui.errors import MigrationFailed, MigrationFileError, Refused
from wttui.migrations.runner import Runner
from wttui.migrations.tools.sqitch import SqitchAdapter

PLAN = """\
%syntax-version=1.0.0
%project=shop
%uri=https://example.com/shop

# a comment line
users 2024-01-02T03:04:05Z Ann Planner <ann@example.com> # Adds users.
+posts [users] 2024-01-02T03:05:05Z Ann Planner <ann@example.com> # Adds posts.
@v1.0 2024-01-02T03:06:05Z Ann Planner <ann@example.com> # Tag it.

users [users@v1.0] 2024-01-03T03:04:05Z Ann Planner <ann@example.com> # Reworks users.
app/views [posts !legacy] 2024-01-03T03:05:05Z Ann Planner <ann@example.com>
"""


def sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def test_sqitch_detect(tmp_path: Path) -> None:
    adapter = SqitchAdapter()
    assert adapter.detect(write(tmp_path / "conf", {"sqitch.conf": "[core]\n\tengine = pg\n"}))
    assert adapter.detect(write(tmp_path / "plan", {"sqitch.plan": "%project=x\n"}))
    assert not adapter.detect(write(tmp_path / "other", {"deploy/x.sql": "select 1;"}))
    assert adapter.name == "sqitch"
    assert adapter.default_dir == "."
    assert adapter.graph_ordered


def test_sqitch_local_reads_the_plan_in_order(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "sqitch.plan": PLAN,
            "deploy/users.sql": "create table users (id int);\n",
            "deploy/users@v1.0.sql": "create table users (id bigint);\n",
            "deploy/posts.sql": "create table posts (id int);\n",
            "deploy/app/views.sql": "create view v as select 1;\n",
        },
    )
    found = SqitchAdapter().local(root)
    assert [(m.version, m.name) for m in found] == [
        ("users@v1.0", "users"),  # the earlier instance of a reworked change
        ("posts", "posts"),
        ("users", "users"),
        ("app/views", "app/views"),
    ]
    assert [m.file for m in found] == [
        root / "deploy/users@v1.0.sql",
        root / "deploy/posts.sql",
        root / "deploy/users.sql",
        root / "deploy/app/views.sql",
    ]
    assert all(m.checksum == sha1(m.file) for m in found)
    (root / "deploy/posts.sql").unlink()
    assert [m.checksum for m in SqitchAdapter().local(root)][1] is None
    assert SqitchAdapter().local(tmp_path / "none") == []
    write(root, {"sqitch.plan": "%project=x\n[broken]\n"})
    with pytest.raises(MigrationFileError):
        SqitchAdapter().local(root)


# -- the real tool ---------------------------------------------------------------------------


@pytest.fixture
def sqitch_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The real CLI, with a committer identity and no user config of the machine's."""
    if shutil.which("sqitch") is None or shutil.which("psql") is None:
        require_component(
            "sqitch", "apt-get install sqitch libdbd-pg-perl postgresql-client (Debian)"
        )
    monkeypatch.setenv("SQITCH_FULLNAME", "Wttui Test")
    monkeypatch.setenv("SQITCH_EMAIL", "wttui@example.com")
    monkeypatch.setenv("SQITCH_USER_CONFIG", str(tmp_path / "no-user-sqitch.conf"))
    monkeypatch.setenv("SQITCH_SYSTEM_CONFIG", str(tmp_path / "no-system-sqitch.conf"))


def sqitch(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sqitch", *args], cwd=root, capture_output=True, text=True, check=check, timeout=120
    )


def target(url: str) -> str:
    return "db:pg://" + url.split("://", 1)[1]


def add(root: Path, name: str, deploy: str, revert: str, *requires: str) -> None:
    """`sqitch add`, then the scripts' bodies (sqitch writes templates with BEGIN/COMMIT)."""
    sqitch(root, "add", name, "-n", f"Adds {name}.", *(f"--requires={r}" for r in requires))
    write(
        root,
        {
            f"deploy/{name}.sql": f"BEGIN;\n{deploy}\nCOMMIT;\n",
            f"revert/{name}.sql": f"BEGIN;\n{revert}\nCOMMIT;\n",
            f"verify/{name}.sql": "SELECT 1;\n",
        },
    )


def project(root: Path) -> Path:
    root.mkdir(parents=True)
    sqitch(root, "init", "shop", "--engine", "pg")
    add(root, "users", "CREATE TABLE users (id int);", "DROP TABLE users;")
    add(root, "posts", "CREATE TABLE posts (id int);", "DROP TABLE posts;", "users")
    return root


def registry(url: str) -> dict[str, str]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT change, script_hash FROM sqitch.changes").fetchall()
    return {str(change): str(hash_) for change, hash_ in rows}


@pytest.mark.usefixtures("sqitch_env")
def test_real_sqitch_deploy_edit_and_revert(tmp_path: Path, url: str) -> None:
    root = project(tmp_path / "shop")
    adapter = SqitchAdapter()
    assert adapter.detect(root)
    runner = Runner(adapter, root)
    with psycopg.connect(url, autocommit=True) as conn:
        assert adapter.applied(conn) is None  # no registry yet
    assert states(runner, url) == {"users": P, "posts": P}

    context, sink = context_for(root, url), ListSink()
    assert runner.apply(url, context=context, sink=sink, cancel=CancelToken()) == 2
    assert states(runner, url) == {"users": A, "posts": A}
    # wttui's checksum is Sqitch's own script_hash, and its states agree with `sqitch status`.
    assert registry(url) == {m.version: m.checksum for m in adapter.local(root)}
    assert "Nothing to deploy (up-to-date)" in sqitch(root, "status", target(url)).stdout
    assert [s.applied_by for s in runner.status(url)] == ["feat/x", "feat/x"]

    # An edited deploy script of a deployed change: its script_hash no longer matches.
    deployed = (root / "deploy/posts.sql").read_text()
    (root / "deploy/posts.sql").write_text(deployed + "-- edited\n")
    assert states(runner, url) == {"users": A, "posts": M}
    (root / "deploy/posts.sql").write_text(deployed)

    # Roll back one through the runner: `sqitch revert --to @HEAD^`.
    assert runner.rollback(url, steps=1, context=context, sink=sink, cancel=CancelToken()) == 1
    assert states(runner, url) == {"users": A, "posts": P}
    assert set(registry(url)) == {"users"}
    status = sqitch(root, "status", target(url)).stdout
    assert "Undeployed change" in status
    assert "posts" in status
    # The last one too (`@HEAD^` of the first change is the empty database).
    assert runner.rollback(url, steps=1, context=context, sink=sink, cancel=CancelToken()) == 1
    assert states(runner, url) == {"users": P, "posts": P}
    assert runner.apply(url, context=context, sink=sink, cancel=CancelToken()) == 2
    assert states(runner, url) == {"users": A, "posts": A}


@pytest.mark.usefixtures("sqitch_env")
def test_real_sqitch_failed_deploy(tmp_path: Path, url: str) -> None:
    root = project(tmp_path / "shop")
    runner = Runner(SqitchAdapter(), root)
    context, sink = context_for(root, url), ListSink()
    sqitch(root, "deploy", "--target", target(url), "--to", "users")
    add(root, "broken", "SELECT * FROM no_such_table;", "SELECT 1;", "posts")
    with pytest.raises(MigrationFailed):
        runner.apply(url, context=context, sink=sink, cancel=CancelToken())
    # Sqitch logged `fail` for broken and, in its default `all` mode, reverted posts too.
    statuses = {s.version: s for s in runner.status(url)}
    assert {v: s.state for v, s in statuses.items()} == {"users": A, "posts": P, "broken": F}
    assert statuses["broken"].error
    with psycopg.connect(url, autocommit=True) as conn:
        events = conn.execute(
            "SELECT change, event FROM sqitch.events ORDER BY committed_at"
        ).fetchall()
    assert ("broken", "fail") in events
    assert ("posts", "revert") in events
    # Fixed and deployed again: no longer failed.
    write(root, {"deploy/broken.sql": "BEGIN;\nSELECT 1;\nCOMMIT;\n"})
    assert runner.apply(url, context=context, sink=sink, cancel=CancelToken()) == 2
    assert states(runner, url) == {"users": A, "posts": A, "broken": A}


@pytest.mark.usefixtures("sqitch_env")
def test_real_sqitch_change_only_in_the_database(tmp_path: Path, url: str) -> None:
    root = project(tmp_path / "shop")
    other = tmp_path / "other"
    shutil.copytree(root, other)
    add(other, "extra", "CREATE TABLE extra (id int);", "DROP TABLE extra;", "posts")
    context = context_for(other, url)
    there = Runner(SqitchAdapter(), other)
    assert there.apply(url, context=context, sink=ListSink(), cancel=CancelToken()) == 3
    assert set(registry(url)) == {"users", "posts", "extra"}

    here = Runner(SqitchAdapter(), root)
    statuses = {s.version: s for s in here.status(url)}
    assert {v: s.state for v, s in statuses.items()} == {"users": A, "posts": A, "extra": E}
    assert statuses["extra"].applied_by == "feat/x"
    # Sqitch itself can't work here ("Cannot find … in sqitch.plan"), and wttui refuses to
    # roll back a change this worktree doesn't have.
    assert sqitch(root, "status", target(url), check=False).returncode != 0
    with pytest.raises(Refused):
        here.rollback(
            url, steps=1, context=context_for(root, url), sink=ListSink(), cancel=CancelToken()
        )
    assert set(registry(url)) == {"users", "posts", "extra"}
