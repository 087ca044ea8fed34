"""The Docker provider: PostgreSQL containers and volumes of one project, through the SDK.

`docker.from_env()` honours `DOCKER_HOST` (`unix://`, `tcp://`, `ssh://` for a remote dev box)
and the rest of the Docker CLI's environment. Every SDK error leaves as `DockerUnavailable` with
one sentence; containers publish their port on 127.0.0.1 only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from wttui.errors import DockerUnavailable

if TYPE_CHECKING:
    import docker
    from docker.models.containers import Container

LABEL_PROJECT = "wttui.project"
LABEL_WORKTREE = "wttui.worktree"
LABEL_PORT = "wttui.port"
LABEL_PASSWORD = "wttui.password"
"""On a data volume: the password its cluster was initialised with (when wttui chose it), so a
container re-created on a kept volume logs in. Readable by whoever can read the container's own
environment, and no one else."""
COMPOSE_PROJECT = "com.docker.compose.project"
DATA_DIR = "/var/lib/postgresql/data"


@dataclass(frozen=True)
class ContainerInfo:
    """One PostgreSQL container as the engine reports it."""

    name: str
    state: str
    """`running`, `exited`, `created`, …"""
    port: int | None
    """The host port its 5432 is published on."""
    image: str
    worktree: str | None
    """`wttui.worktree` label, or the compose project's suffix for compose-made containers."""
    compose_project: str | None = None
    volume: str | None = None
    environment: Mapping[str, str] = field(default_factory=dict, repr=False)
    """The container's environment (POSTGRES_* included: never print it)."""
    project: str | None = None
    """Its `wttui.project` label, where `publishers` read it (another project's container)."""

    @property
    def running(self) -> bool:
        return self.state == "running"


def _where() -> str:
    return os.environ.get("DOCKER_HOST") or "the local Docker socket"


@contextmanager
def _engine_errors(doing: str) -> Iterator[None]:
    import docker.errors
    import requests.exceptions

    try:
        yield
    except docker.errors.ImageNotFound as exc:
        raise DockerUnavailable(
            f"{doing}: image not found: {exc.explanation or exc}",
            hint="no registry is pulled from here: build or load the image "
            "(`docker build`, `docker load`), or set [container] image",
        ) from None
    except docker.errors.APIError as exc:
        raise DockerUnavailable(f"{doing}: {exc.explanation or exc}") from None
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise DockerUnavailable(
            f"{doing}: Docker is not reachable at {_where()} ({type(exc).__name__})",
            hint="start the Docker engine, or set DOCKER_HOST",
        ) from None


class DockerProvider:
    """Containers labelled for one project, on the engine `DOCKER_HOST` names."""

    def __init__(self) -> None:
        self._client: docker.DockerClient | None = None

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            import docker

            with _engine_errors("Connecting to Docker"):
                self._client = docker.from_env(timeout=30)
                self._client.ping()
        return self._client

    # -- reading -----------------------------------------------------------------------------

    def containers(self, project: str) -> list[ContainerInfo]:
        """This project's containers: wttui's (by label) and `docker compose`'s (by project
        name `project` or `project_*`, the seed recipe's naming), running or not."""
        with _engine_errors("Listing containers"):
            # ignore_removed: a container removed between the listing and its inspection (another
            # wttui, another terminal) is simply gone, not an error.
            found = self.client.containers.list(all=True, sparse=False, ignore_removed=True)
        result = []
        for container in found:
            labels = container.labels or {}
            compose = labels.get(COMPOSE_PROJECT)
            if labels.get(LABEL_PROJECT) == project:
                result.append(_info(container, labels.get(LABEL_WORKTREE)))
            elif compose and (compose == project or compose.startswith(f"{project}_")):
                worktree = compose.removeprefix(project).lstrip("_") or None
                if _is_postgres(container):
                    result.append(_info(container, worktree, compose))
        return result

    def get(self, name: str) -> ContainerInfo | None:
        import docker.errors

        with _engine_errors(f"Reading container {name}"):
            try:
                container = self.client.containers.get(name)
            except docker.errors.NotFound:
                return None
        labels = container.labels or {}
        return _info(container, labels.get(LABEL_WORKTREE), labels.get(COMPOSE_PROJECT))

    def ports_in_use(self) -> set[int]:
        """Host ports published by any container on this engine (running or not)."""
        with _engine_errors("Listing containers"):
            containers = self.client.containers.list(all=True, sparse=False, ignore_removed=True)
        ports: set[int] = set()
        for container in containers:
            label = (container.labels or {}).get(LABEL_PORT)
            if label and label.isdigit():
                ports.add(int(label))
            ports.update(_published_ports(container))
        return ports

    def publishers(self) -> dict[int, ContainerInfo]:
        """Host port → the container on this engine that publishes it (running or not: a
        stopped one takes its port back when it starts), with its labels' worktree and compose
        project; one listing."""
        with _engine_errors("Listing containers"):
            containers = self.client.containers.list(all=True, sparse=False, ignore_removed=True)
        found: dict[int, ContainerInfo] = {}
        for container in containers:
            labels = container.labels or {}
            info = _info(container, labels.get(LABEL_WORKTREE), labels.get(COMPOSE_PROJECT))
            info = replace(info, project=labels.get(LABEL_PROJECT))
            label = labels.get(LABEL_PORT)
            ports = _published_ports(container) | (
                {int(label)} if label and label.isdigit() else set()
            )
            for port in ports:
                found.setdefault(port, info)
        return found

    def image_exists(self, image: str) -> bool:
        import docker.errors

        with _engine_errors(f"Looking for image {image}"):
            try:
                self.client.images.get(image)
            except docker.errors.ImageNotFound:
                return False
        return True

    def volume_sizes(self) -> dict[str, int]:
        """Volume name → bytes used (one `docker system df` call: slow, so refreshes skip it)."""
        with _engine_errors("Reading volume sizes"):
            usage = self.client.df()
        return {
            volume["Name"]: int((volume.get("UsageData") or {}).get("Size") or 0)
            for volume in usage.get("Volumes") or []
        }

    def volume_labels(self, name: str) -> dict[str, str] | None:
        """The labels of volume `name`, or None when there is no such volume."""
        import docker.errors

        with _engine_errors(f"Reading volume {name}"):
            try:
                volume = self.client.volumes.get(name)
            except docker.errors.NotFound:
                return None
        return dict((volume.attrs or {}).get("Labels") or {})

    def volumes(self, project: str) -> list[tuple[str, str | None, str]]:
        """This project's volumes (labelled by wttui): (name, worktree label, created at)."""
        with _engine_errors("Listing volumes"):
            found = self.client.volumes.list(filters={"label": f"{LABEL_PROJECT}={project}"})
        return [
            (
                str(volume.name),
                ((volume.attrs or {}).get("Labels") or {}).get(LABEL_WORKTREE),
                str((volume.attrs or {}).get("CreatedAt") or ""),
            )
            for volume in found
        ]

    def stopped_at(self, name: str) -> str:
        """When the container last stopped (`State.FinishedAt`), '' when it never did."""
        import docker.errors

        with _engine_errors(f"Reading container {name}"):
            try:
                state = self.client.containers.get(name).attrs.get("State") or {}
            except docker.errors.NotFound:
                return ""
        finished = str(state.get("FinishedAt") or "")
        return "" if finished.startswith("0001-") else finished

    def remove_volume(self, name: str) -> bool:
        """Remove volume `name`; False when it was already gone."""
        import docker.errors

        with _engine_errors(f"Removing volume {name}"):
            try:
                self.client.volumes.get(name).remove(force=True)
            except docker.errors.NotFound:
                return False
        return True

    def volume_users(self, name: str) -> list[str]:
        """Names of the containers (running or not) that mount volume `name`."""
        with _engine_errors(f"Reading who uses volume {name}"):
            found = self.client.containers.list(
                all=True, ignore_removed=True, filters={"volume": name}
            )
        return [container.name for container in found]

    def logs(self, name: str, lines: int = 30) -> str:
        with _engine_errors(f"Reading the logs of {name}"):
            raw = self.client.containers.get(name).logs(tail=lines)
        return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)

    # -- changing ----------------------------------------------------------------------------

    def run_postgres(
        self,
        *,
        name: str,
        image: str,
        port: int,
        volume: str,
        environment: dict[str, str],
        labels: dict[str, str],
        volume_labels: dict[str, str],
    ) -> ContainerInfo:
        """Create and start a PostgreSQL container publishing 5432 on 127.0.0.1:`port`."""
        if not self.image_exists(image):
            raise DockerUnavailable(
                f"Image {image} is not on the Docker engine at {_where()}",
                hint="no registry is pulled from here: build or load it (`docker build`, "
                "`docker load`), or set [container] image to one you have",
            )
        with _engine_errors(f"Creating container {name}"):
            self.client.volumes.create(name=volume, labels=volume_labels)
            container = self.client.containers.run(
                image,
                name=name,
                detach=True,
                environment=environment,
                labels=labels,
                ports={"5432/tcp": ("127.0.0.1", port)},
                volumes={volume: {"bind": DATA_DIR, "mode": "rw"}},
            )
        return _info(container, labels.get(LABEL_WORKTREE))

    def start(self, name: str) -> None:
        with _engine_errors(f"Starting container {name}"):
            self.client.containers.get(name).start()

    def stop(self, name: str) -> None:
        with _engine_errors(f"Stopping container {name}"):
            self.client.containers.get(name).stop(timeout=20)

    def rename(self, name: str, new: str) -> None:
        """Rename a container (the trash keeps a removed worktree's container this way)."""
        with _engine_errors(f"Renaming container {name}"):
            self.client.containers.get(name).rename(new)

    def remove(self, name: str, *, volume: str | None) -> None:
        """Remove the container (stopping it) and, when named, its volume."""
        import docker.errors

        with _engine_errors(f"Removing container {name}"):
            with suppress(docker.errors.NotFound):
                self.client.containers.get(name).remove(force=True)
            if volume:
                with suppress(docker.errors.NotFound):
                    self.client.volumes.get(volume).remove(force=True)


def _published_ports(container: Container) -> set[int]:
    """Host ports: as configured (kept while stopped) and as bound now (for dynamic ports)."""
    ports: set[int] = set()
    configured = (container.attrs.get("HostConfig") or {}).get("PortBindings") or {}
    bound = (container.attrs.get("NetworkSettings") or {}).get("Ports") or {}
    for mapping in (configured, bound):
        for binds in mapping.values():
            for bind in binds or []:
                host_port = str(bind.get("HostPort") or "")
                if host_port.isdigit():
                    ports.add(int(host_port))
    return ports


def _is_postgres(container: Container) -> bool:
    config = container.attrs.get("Config") or {}
    image = str(config.get("Image") or "")
    exposed = config.get("ExposedPorts") or {}
    return "postgres" in image or "5432/tcp" in exposed


def _info(container: Container, worktree: str | None, compose: str | None = None) -> ContainerInfo:
    ports = sorted(_published_ports(container))
    label = (container.labels or {}).get(LABEL_PORT)
    port = int(label) if label and label.isdigit() else (ports[0] if ports else None)
    mounts = container.attrs.get("Mounts") or []
    volume = next((m.get("Name") for m in mounts if m.get("Destination") == DATA_DIR), None)
    config = container.attrs.get("Config") or {}
    environment = dict(item.partition("=")[::2] for item in config.get("Env") or [])
    return ContainerInfo(
        name=container.name or "",
        state=str((container.attrs.get("State") or {}).get("Status") or container.status),
        port=port,
        image=str(config.get("Image") or ""),
        worktree=worktree,
        compose_project=compose,
        volume=volume,
        environment=environment,
    )
