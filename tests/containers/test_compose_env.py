"""Seed 1's "Docker Compose per worktree": a container `docker compose` made belongs to its
compose project, so the worktree's `COMPOSE_PROJECT_NAME` is that project (what `docker
compose -p` and the seed's `docker-compose down -v` need), not the container's name. And with
Docker unreachable, whether a worktree's `.env` is in step is unknown, not "stale".

This machine has the classic engine without the compose plugin, so the container is made here
with exactly the labels `docker compose up` sets (docker/compose `pkg/api/labels.go`) on the
container and on its named volume, as the seed's `docker-compose.worktree.yml` would."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import wttui
from tests.containers.test_container_strategy import wait_until_ready
from tests.repo_factory import git
from wttui.providers.docker_engine import DockerProvider
from wttui.providers.envfile import read_env
from wttui.services import Services

Factory = Callable[..., Services]


def compose_up(docker: DockerProvider, image: str, project: str, workdir: Path) -> str:
    """What `COMPOSE_PROJECT_NAME=<project> docker compose -f docker-compose.worktree.yml up
    -d` makes for the seed's file: container `<project>-db-1`, volume `<project>_db`."""
    config_file = workdir / "docker-compose.worktree.yml"
    volume = f"{project}_db"
    docker.client.volumes.create(
        name=volume,
        labels={
            "com.docker.compose.project": project,
            "com.docker.compose.volume": "db_data",
            "com.docker.compose.version": "2.29.7",
        },
    )
    name = f"{project}-db-1"
    docker.client.containers.run(
        image,
        name=name,
        detach=True,
        environment={
            "POSTGRES_DB": "myapp",
            "POSTGRES_USER": "postgres",
            "POSTGRES_PASSWORD": "postgres",
        },
        labels={
            "com.docker.compose.project": project,
            "com.docker.compose.service": "db",
            "com.docker.compose.container-number": "1",
            "com.docker.compose.oneoff": "False",
            "com.docker.compose.project.working_dir": str(workdir),
            "com.docker.compose.project.config_files": str(config_file),
            "com.docker.compose.config-hash": hashlib.sha256(project.encode()).hexdigest(),
            "com.docker.compose.depends_on": "",
            "com.docker.compose.image": "sha256:" + hashlib.sha256(image.encode()).hexdigest(),
            "com.docker.compose.version": "2.29.7",
        },
        ports={"5432/tcp": ("127.0.0.1", None)},
        volumes={volume: {"bind": "/var/lib/postgresql/data", "mode": "rw"}},
    )
    return name


def test_compose_project_name_is_the_compose_project(
    container_repo: Factory, docker: DockerProvider, image: str, tmp_path: Path
) -> None:
    services = container_repo()
    project = f"{services.project}_auth"  # the seed: COMPOSE_PROJECT_NAME=myapp_auth
    container = compose_up(docker, image, project, tmp_path)
    ready = Services.from_path(services.root).strategy("container").plan("auth")
    wait_until_ready(ready.url)  # as compose would have it, up before anyone connects

    done = wttui(services.root, "create", "auth", "--adopt")
    assert done.returncode == 0, done.stderr
    worktree = Path(done.stdout.strip().splitlines()[-1])
    env = read_env(worktree / ".env")
    assert env["COMPOSE_PROJECT_NAME"] == project  # not f"{project}-db-1"
    assert container != project
    assert env["DATABASE_URL"].endswith("/myapp")
    assert [c.name for c in docker.containers(services.project)] == [container]

    status = json.loads(wttui(services.root, "status", "--json").stdout)
    auth = next(view for view in status if view["branch"] == "auth")
    assert auth["database"]["container"] == container
    assert auth["env"]["matches"] is True


def test_env_state_is_unknown_when_docker_is_unreachable(
    container_repo: Factory, tmp_path: Path
) -> None:
    services = container_repo()
    done = wttui(services.root, "create", "feat/e")
    assert done.returncode == 0, done.stderr
    git(services.root, "status")  # the repository itself is fine

    gone = {"DOCKER_HOST": f"unix://{tmp_path / 'no-engine.sock'}"}
    table = wttui(services.root, "status", env=gone)
    assert table.returncode == 3
    row = next(line for line in table.stdout.splitlines() if line.startswith("feat/e"))
    assert " unknown " in row
    assert "stale" not in row
    as_json = json.loads(wttui(services.root, "status", "--json", env=gone).stdout)
    feat = next(view for view in as_json if view["branch"] == "feat/e")
    assert feat["env"]["matches"] is None
