"""A container's worktree gets a login role, never the container's superuser (the brief's
security rule, which the embedded cluster already kept): its `.env` holds a role with no
SUPERUSER, CREATEROLE or CREATEDB that owns what its migrations made; the superuser's password
stays in the container. A container from before (or from `docker compose`) that hands out its
superuser is what `wttui doctor` warns about, naming the way out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from tests import steps
from tests.cli.conftest import wttui
from tests.containers.conftest import compose_worktree
from tests.containers.test_container_strategy import wait_until_ready
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.urls import url_parts
from wttui.providers.docker_engine import DockerProvider
from wttui.providers.envfile import read_env
from wttui.services import Services
from wttui.snapshot import read_view

Factory = Callable[..., Services]


def test_a_container_worktree_connects_as_its_login_role_not_the_superuser(
    container_repo: Factory, docker: DockerProvider
) -> None:
    services = container_repo()
    view = steps.create(services, "feat/role", sink=ListSink(), cancel=CancelToken())
    assert view.target is not None
    assert view.target.container is not None
    env_text = (view.worktree.path / ".env").read_text()
    url = read_env(view.worktree.path / ".env")["DATABASE_URL"]
    container = docker.get(view.target.container)
    assert container is not None
    superuser_password = container.environment["POSTGRES_PASSWORD"]
    assert superuser_password not in env_text
    assert url_parts(url)["user"] == f"wttui_{services.project}"

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert row == (False, False, False)
        owner = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'users'"
        ).fetchone()
        assert owner == (url_parts(url)["user"],)  # migrated as the role: its tables
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("COPY (SELECT 1) TO PROGRAM 'true'")

    # The throwaway `_test` database inside the container is the role's too: it migrates.
    tested = wttui(services.root, "test", "feat/role", "--", "true")
    assert tested.returncode == 0, tested.stderr
    # A stopped container started again by a sync still gives the same login.
    steps.container(services, "feat/role", "stop", sink=ListSink(), cancel=CancelToken())
    assert wttui(services.root, "sync", "feat/role").returncode == 0
    assert read_view(services, "feat/role").target == view.target
    doctor = wttui(services.root, "doctor", "feat/role")
    assert "superuser" not in doctor.stdout + doctor.stderr


def test_doctor_warns_when_a_container_hands_out_its_superuser(
    container_repo: Factory, docker: DockerProvider, image: str, tmp_path: Path
) -> None:
    services = container_repo()
    container = compose_worktree(services, docker, image, "old", tmp_path / "old")
    target = read_view(services, "old").target
    assert target is not None
    wait_until_ready(target.url)
    doctor = wttui(services.root, "doctor", "old")
    out = doctor.stdout + doctor.stderr
    assert f"connects to container {container} as its superuser" in out, out
    assert "give the app a login role of its own in the compose project" in out
