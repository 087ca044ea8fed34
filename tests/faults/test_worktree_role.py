"""On the embedded cluster, worktrees connect as the project's own role, never the superuser:
a local user who reads a worktree's `.env` gets no more than that worktree's data."""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests import steps
from tests.conftest import require_component
from tests.repo_factory import git
from wttui.core.urls import url_parts
from wttui.providers.envfile import read_env
from wttui.providers.local_cluster import LocalCluster
from wttui.services import Services


@pytest.fixture
def embedded_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A repository with no server configured: wttui's own cluster in a private data dir."""
    data = tmp_path / "data"
    monkeypatch.setenv("WTTUI_DATA_DIR", str(data))
    root = tmp_path / "shop"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / ".wttui.toml").write_text('[project]\nname = "shop"\n')
    (root / "migrations").mkdir()
    (root / "migrations/001_users.sql").write_text("CREATE TABLE users (id int PRIMARY KEY);\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    yield root
    LocalCluster(data).destroy()


def test_a_worktree_gets_the_projects_role_not_the_superuser(embedded_repo: Path) -> None:
    services = Services.from_path(embedded_repo)
    view = steps.create(services, "feat/role")
    env = view.worktree.path / ".env"
    url = read_env(env)["DATABASE_URL"]
    assert url_parts(url)["user"] == "wttui_shop"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    with psycopg.connect(url, autocommit=True) as conn:
        superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert superuser.fetchone() == (False,)
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'users'")
        assert owner.fetchone() == ("wttui_shop",)  # its migrations made it
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("COPY (SELECT 1) TO PROGRAM 'true'")
    admin = services.server.admin_url()
    assert url_parts(admin)["password"] not in env.read_text()


def test_another_local_user_cannot_read_a_worktrees_env(embedded_repo: Path) -> None:
    if os.geteuid() != 0:
        require_component("root", "reading as another OS user needs runuser")
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        require_component("the user nobody", "the second local user of the test")
    view = steps.create(Services.from_path(embedded_repo), "feat/private")
    env = view.worktree.path / ".env"
    os.chmod(view.worktree.path, 0o755)
    done = subprocess.run(
        ["runuser", "-u", "nobody", "--", "cat", str(env)], capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "Permission denied" in done.stderr


def test_a_database_made_before_roles_is_handed_over_on_the_next_create(
    embedded_repo: Path,
) -> None:
    services = Services.from_path(embedded_repo)
    target = services.strategy_for("feat/old").plan("feat/old")
    provider = services.server.provider()
    provider.create_database(target.name)  # made by the superuser, as before roles
    with provider.connect(target.name, autocommit=True) as conn:
        conn.execute("CREATE TABLE legacy (id int)")
    view = steps.create(services, "feat/old", adopt=True)
    url = read_env(view.worktree.path / ".env")["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE legacy ADD COLUMN note text")  # its owner now
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        )
        assert owner.fetchone() == ("wttui_shop",)


def test_a_database_left_to_the_superuser_is_found_by_doctor_and_handed_back_by_sync(
    embedded_repo: Path,
) -> None:
    """A copy made before wttui handed copies over belongs to the superuser: its worktree's
    migrations fail there. Doctor names it with `sync` as the fix, and sync hands it back."""
    from wttui.actions.sync import sync
    from wttui.core.housekeeping import CheckStatus, DbStep, Fix
    from wttui.core.logsink import CancelToken, ListSink
    from wttui.doctor import diagnose
    from wttui.plans_housekeeping import plan_sync

    services = Services.from_path(embedded_repo)
    view = steps.create(services, "feat/old")
    assert view.target is not None
    name = view.target.name
    admin = services.server.admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO postgres").format(sql.Identifier(name)))
    with psycopg.connect(services.server.provider().url_for(name), autocommit=True) as conn:
        for table in ("users", "wttui_schema_migrations"):
            conn.execute(sql.SQL("ALTER TABLE {} OWNER TO postgres").format(sql.Identifier(table)))

    failed = [c for c in diagnose(services).checks if c.status is CheckStatus.FAIL]
    assert [(c.name, c.worktree, c.safe_fix) for c in failed] == [
        ("database", "feat/old", Fix.SYNC)
    ]
    assert f"{name} belongs to postgres, not to wttui_shop" in failed[0].detail
    assert failed[0].fix == "wttui sync feat/old"

    plan = plan_sync(services, "feat/old")
    assert [item.database for item in plan.items] == [DbStep.HAND_OVER]
    sink = ListSink()
    sync(services, plan, sink=sink, cancel=CancelToken())
    assert f"Handing {name} to wttui_shop" in sink.text
    assert not [c for c in diagnose(services).checks if c.status is CheckStatus.FAIL]

    (view.worktree.path / "migrations/002_orders.sql").write_text("CREATE TABLE orders ();\n")
    assert steps.migrate(services, "feat/old") == 1  # its role can migrate it again
    with psycopg.connect(admin, autocommit=True) as conn:
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
    assert owner == ("wttui_shop",)
