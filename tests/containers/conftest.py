"""Fixtures for the container strategy: a real Docker engine and a locally built image.

The image comes from `scripts/build-pg-image` (no registry is reachable); `scripts/test` builds
it, and this builds it too when run directly. Each test's repository gets its own project name
and port range, and its containers and volumes are removed afterwards.
"""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import require_component
from tests.repo_factory import git, make_repo
from wttui.errors import DockerUnavailable
from wttui.providers.docker_engine import LABEL_PROJECT, DockerProvider
from wttui.services import Services

ROOT = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("WTTUI_TEST_IMAGE", "wttui-test-postgres:15")


@pytest.fixture(scope="session")
def docker() -> DockerProvider:
    provider = DockerProvider()
    try:
        provider.client  # noqa: B018 - connects and pings
    except DockerUnavailable as exc:
        require_component("A Docker engine", f"{exc.message} (scripts/docker-engine starts one)")
    return provider


@pytest.fixture(scope="session")
def image(docker: DockerProvider) -> str:
    if not docker.image_exists(IMAGE):
        built = subprocess.run(
            [str(ROOT / "scripts/build-pg-image"), IMAGE], capture_output=True, text=True
        )
        if built.returncode:
            require_component(f"The image {IMAGE}", built.stderr.strip()[-500:])
    return IMAGE


def remove_project(docker: DockerProvider, project: str) -> None:
    client = docker.client
    for container in client.containers.list(
        all=True, ignore_removed=True, filters={"label": f"{LABEL_PROJECT}={project}"}
    ):
        container.remove(force=True, v=True)
    for container in client.containers.list(
        all=True, ignore_removed=True, filters={"label": "com.docker.compose.project"}
    ):
        if str(container.labels.get("com.docker.compose.project", "")).startswith(project):
            container.remove(force=True, v=True)
    for volume in client.volumes.list():
        if volume.name.startswith(f"{project}_"):
            volume.remove(force=True)


def compose_worktree(
    services: Services, docker: DockerProvider, image: str, branch: str, path: Path
) -> str:
    """A container as the seed recipe's `docker compose -p {project}_{branch}` makes it (the
    image's superuser, its compose label), and a worktree of `branch` for it at `path`, added
    with plain git; the container's name."""
    compose_project = f"{services.project}_{branch}"
    name = f"{compose_project}-db-1"
    docker.client.containers.run(
        image,
        name=name,
        detach=True,
        environment={"POSTGRES_PASSWORD": "pw", "POSTGRES_DB": "app"},
        labels={"com.docker.compose.project": compose_project},
        ports={"5432/tcp": ("127.0.0.1", None)},
    )
    git(services.root, "worktree", "add", "-q", "-b", branch, str(path))
    return name


def _toml(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)


@pytest.fixture
def container_repo(
    tmp_path: Path, pg_admin_url: str, docker: DockerProvider, image: str
) -> Iterator[Callable[..., Services]]:
    """`container_repo(**container_keys)`: a repository on the container strategy."""
    projects: list[str] = []

    def build(**keys: str | int | bool) -> Services:
        base = random.randrange(20000, 60000, 50)
        settings = {"image": image, "ports": f"{base}-{base + 49}", "ready_timeout": 60, **keys}
        lines = "".join(f"{key} = {_toml(value)}\n" for key, value in settings.items())
        root = make_repo(
            tmp_path / f"r{len(projects)}",
            pg_admin_url,
            extra_config=f'strategy = "container"\n[container]\n{lines}',
        )
        projects.append(root.name)
        return Services.from_path(root)

    yield build
    for project in projects:
        remove_project(docker, project)
