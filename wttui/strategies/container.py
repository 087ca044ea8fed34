"""The `container` strategy: a PostgreSQL container per worktree (F2, F4), through Docker.

Each worktree gets a container `{project}_{worktree}` with a named volume
`{project}_{worktree}_pgdata`, labels `wttui.project`/`wttui.worktree`/`wttui.port`, and its
5432 published on 127.0.0.1 at a port stable for the worktree (moved to the next free one when
taken). Containers that `docker compose` made for the project (the seed recipe's
`{project}_{worktree}` compose projects) are recognised and used instead of a second one.
A create that fails half way removes what it made, so re-running it starts clean; what it
could not remove (the engine died under it) is made again by the re-run
(`container_recovery.py`), and a port Docker refuses moves on to the next free one.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from wttui.config import ContainerConfig
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DatabaseInfo, DbTarget, TargetKey
from wttui.core.naming import database_name, fit_identifier, role_name, worktree_slug
from wttui.core.ports import choose_port, port_range, preferred_port
from wttui.core.urls import build_url, mask_url, url_parts
from wttui.errors import DockerUnavailable, InvalidInput, Refused, WttuiError
from wttui.providers.docker_engine import (
    LABEL_PASSWORD,
    ContainerInfo,
    DockerProvider,
)
from wttui.providers.host_ports import port_is_free
from wttui.providers.postgres import PostgresProvider
from wttui.strategies.base import refuse_shared
from wttui.strategies.container_make import free_volume, run_container, wait_ready
from wttui.strategies.container_ports import made_on, port_holder
from wttui.strategies.container_recovery import PORT_ATTEMPTS, half_made, port_refused
from wttui.strategies.container_role import Credentials, give_role, of_container, of_target

if TYPE_CHECKING:
    from wttui.config_model import Config
    from wttui.providers.server import Server

_LISTING_TTL = 2.0
"""Seconds a container listing is reused: a refresh plans every worktree from one listing."""
_VOLUME_SIZES_TTL = 60.0
"""Seconds volume sizes are reused: the engine computes them by walking every volume."""


class ContainerStrategy:
    """Plans, provisions and removes one PostgreSQL container per worktree."""

    name = "container"
    description: ClassVar[str] = "own Docker container"

    @classmethod
    def from_config(cls, *, config: Config, server: Server, project: str) -> ContainerStrategy:
        del server  # each container is its own server
        return cls(
            DockerProvider(),
            project=project,
            template=config.database.name_for("container"),
            config=config.container,
            pins=config.pinned_ports(),
        )

    def __init__(
        self,
        docker: DockerProvider,
        *,
        project: str,
        template: str,
        config: ContainerConfig,
        pins: Mapping[str, int] | None = None,
    ) -> None:
        self.docker = docker
        self.project = project
        self.database = database_name(template, project=project, label="")
        self.config = config
        self.pins = dict(pins or {})
        """Worktree label → its pinned port (`[worktrees."main"] port = 5432`)."""
        self._listing: tuple[float, list[ContainerInfo]] | None = None
        self._volume_sizes: tuple[float, dict[str, int]] | None = None
        self._lock = threading.Lock()

    # -- naming ------------------------------------------------------------------------------

    def container_name(self, label: str) -> str:
        return database_name("{project}_{worktree}", project=self.project, label=label)

    def _containers(self) -> list[ContainerInfo]:
        with self._lock:
            now = time.monotonic()
            if self._listing is None or now - self._listing[0] > _LISTING_TTL:
                self._listing = (now, self.docker.containers(self.project))
            return self._listing[1]

    def _forget_listing(self) -> None:
        with self._lock:
            self._listing = None

    def _existing(self, label: str) -> ContainerInfo | None:
        """wttui's container for `label`, else a compose-made one for the same worktree."""
        name, slug = self.container_name(label), worktree_slug(label)
        containers = self._containers()
        for info in containers:
            if info.name == name and info.compose_project is None:
                return info
        for info in containers:
            if info.compose_project and info.worktree and worktree_slug(info.worktree) == slug:
                return info
        return None

    # -- the strategy ------------------------------------------------------------------------

    def plan(self, label: str) -> DbTarget:
        existing = self._existing(label)
        pin = self.pins.get(label)
        if existing is not None and existing.port and not half_made(existing):
            env = existing.environment
            logins = of_container(env)
            database = env.get("POSTGRES_DB", logins.admin_user)
            target = self._target(label, existing.name, existing.port, logins, database)
            note = made_on(label, existing, self.pins, port_range(self.config.ports))
            return replace(target, compose_project=existing.compose_project, port_note=note)
        # A new container; or one a stopped create left half made, which provision makes again
        # (its port is not taken by it: it never listened, and no .env names it yet).
        own = {existing.port} if existing is not None and half_made(existing) else set()
        publishers = {p: info for p, info in self.docker.publishers().items() if p not in own}
        note = clash = ""
        if pin:
            port = pin
            if (holder := port_holder(pin, publishers)) is not None:
                clash = f"port {pin}, pinned for {label}, is taken by {holder}"
                note = clash
        else:
            ports = port_range(self.config.ports)
            taken = {info.port for info in self._containers() if info.port} - own
            taken |= set(publishers) | set(self.pins.values())  # pinned: kept for their owner
            port = choose_port(label, ports, taken, port_is_free)
            preferred = preferred_port(label, ports)
            if port != preferred:
                owner = next((branch for branch, p in self.pins.items() if p == preferred), None)
                if owner:
                    why = f"pinned for {owner}"
                else:
                    why = f"taken by {port_holder(preferred, publishers) or 'another program'}"
                note = f"{port} ({preferred} is {why})"
        # A kept volume was initialised with its own password: reuse it, or nothing logs in.
        kept = self.docker.volume_labels(fit_identifier(self.container_name(label) + "_pgdata"))
        password = (
            self.config.password or (kept or {}).get(LABEL_PASSWORD) or secrets.token_urlsafe(18)
        )
        # The worktree's own login (made in the container once it is up), never the superuser.
        logins = Credentials(
            self.config.user, password, role_name(self.project), secrets.token_urlsafe(18)
        )
        target = self._target(label, self.container_name(label), port, logins, self.database)
        return replace(target, port_note=note, port_clash=clash)

    def clash(self, target: DbTarget) -> str:
        """Who holds the port the target's stopped container needs to start ('' when free)."""
        if target.container is None:
            return ""
        port = int(url_parts(target.url)["port"])
        others = {
            p: info for p, info in self.docker.publishers().items() if info.name != target.container
        }
        holder = port_holder(port, others)
        return f"port {port} of {target.container} is taken by {holder}" if holder else ""

    def _target(
        self, label: str, container: str, port: int, logins: Credentials, db: str
    ) -> DbTarget:
        url = build_url(
            host="127.0.0.1", port=port, dbname=db, user=logins.user, password=logins.password
        )
        admin = logins.admin_url(port)
        return DbTarget(
            strategy=self.name,
            name=db,
            url=url,
            admin=admin,
            masked_url=mask_url(url),
            server=f"container {container} (127.0.0.1:{port})",
            container=container,
            worktree=label,
            description=self.description,
        )

    def inventory(self) -> dict[TargetKey, DatabaseInfo]:
        containers = self._containers()
        sizes = self._sizes() if containers else {}
        return dict(self._described(info, sizes) for info in containers)

    def _described(
        self, info: ContainerInfo, sizes: dict[str, int]
    ) -> tuple[TargetKey, DatabaseInfo]:
        """One container as the refresh shows it: its database measured, its volume sized."""
        database = info.environment.get("POSTGRES_DB") or info.environment.get(
            "POSTGRES_USER", "postgres"
        )
        measured = replace(
            self._measure(info, database),
            volume=info.volume,
            volume_bytes=sizes.get(info.volume) if info.volume else None,
        )
        return TargetKey(info.name, database, None), measured

    def _sizes(self) -> dict[str, int]:
        now = time.monotonic()
        if self._volume_sizes is None or now - self._volume_sizes[0] > _VOLUME_SIZES_TTL:
            self._volume_sizes = (now, self.docker.volume_sizes())
        return self._volume_sizes[1]

    def _measure(self, info: ContainerInfo, database: str) -> DatabaseInfo:
        """Size and sessions of a running container's database; its state when stopped."""
        if not info.running or not info.port:
            return DatabaseInfo(name=database, state=info.state)
        url = of_container(info.environment).admin_url(info.port)
        try:
            measured = PostgresProvider(url).get_database(database)
        except WttuiError:
            return DatabaseInfo(name=database, state="starting")
        return replace(measured or DatabaseInfo(database), state=info.state)

    def info(self, target: DbTarget) -> DatabaseInfo | None:
        """The target's container alone, read now (not every container of the project)."""
        if target.container is None:
            return None
        found = self.docker.get(target.container)
        if found is None:
            return None
        known_sizes = self._volume_sizes[1] if self._volume_sizes else {}  # no slow `df` here
        key, described = self._described(found, known_sizes)
        return described if key == target.key else None

    def provision(
        self,
        target: DbTarget,
        *,
        sink: LogSink,
        adopt: bool = False,
        owned: bool = False,
        cancel: CancelToken | None = None,
    ) -> bool:
        del adopt, owned  # a container for this worktree is its own; there is nothing to adopt
        assert target.container is not None
        self._forget_listing()
        existing = self.docker.get(target.container)
        if existing is not None and half_made(existing):
            sink.line(
                f"Container {existing.name} was left half made by a create that stopped "
                "(it never started): making it again, its volume kept",
                stream="warn",
            )
            self.docker.remove(existing.name, volume=None)
            self._forget_listing()
            existing = None
        if existing is not None:
            if not existing.running:
                sink.step(f"Starting container {existing.name}")
                self.docker.start(existing.name)
                wait_ready(
                    self.docker,
                    target,
                    sink,
                    timeout=self.config.ready_timeout,
                    created=False,
                    cancel=cancel,
                )
            else:
                sink.line(f"Container {existing.name} is running")
            give_role(target.admin, target.url, target.name, sink=sink)  # a create cut short
            return False
        name = target.container
        port = int(url_parts(target.url)["port"])
        pinned = self.pins.get(target.worktree) == port
        if not port_is_free(port):
            holder = port_holder(port, {}) or "another program"
            if pinned:
                raise Refused(
                    f"Port {port}, pinned for {target.worktree}, is taken by {holder}",
                    hint="stop it, or pin another port ([worktrees] port)",
                )
            # Taken since the plan: the next free one, as the plan would choose now.
            taken, port = port, self._next_port(target.worktree, avoid={port})
            sink.line(f"Port {taken} is in use by {holder}: using {port}", stream="warn")
        elif target.port_note:
            sink.line(f"Port {target.port_note}", stream="warn")
        volume = free_volume(self.docker, name)
        kept_volume = self.docker.volume_labels(volume) is not None
        sink.step(
            f"Creating container {name} from {self.config.image} "
            f"on 127.0.0.1:{port} (volume {volume})"
        )
        try:
            for attempt in range(PORT_ATTEMPTS):
                try:
                    run_container(self.docker, self.config, self.project, target, port, volume)
                    break
                except DockerUnavailable as exc:
                    if port_refused(exc) and pinned:
                        raise Refused(
                            f"Port {port}, pinned for {target.worktree}, was refused by Docker "
                            f"({exc.message})",
                            hint="stop what holds it, or pin another port ([worktrees] port)",
                        ) from exc
                    if not port_refused(exc) or attempt == PORT_ATTEMPTS - 1:
                        raise
                # Docker refused it (a program took it since, or Docker still holds it for a
                # container it lost): the next free one, as the plan would choose now.
                self.docker.remove(name, volume=None)
                self._forget_listing()
                refused, port = port, self._next_port(target.worktree, avoid={port})
                sink.line(f"Port {refused} was refused by Docker: using {port}", stream="warn")
            target = self._target(target.worktree, name, port, of_target(target), target.name)
            self._forget_listing()
            wait_ready(
                self.docker,
                target,
                sink,
                timeout=self.config.ready_timeout,
                created=True,
                cancel=cancel,
            )
            give_role(target.admin, target.url, target.name, sink=sink)
        except WttuiError:
            # Remove what this create made (the engine may have made the container before
            # failing to start it, the user may have cancelled the wait for it); a volume kept
            # from before holds data: it stays.
            self._forget_listing()
            made = None if kept_volume else volume
            what = f"container {name}" + (f" and volume {made}" if made else "")
            try:
                self.docker.remove(name, volume=made)
                sink.line(f"Removed {what}", stream="warn")
            except WttuiError as gone:  # the engine may be gone: say the first error
                sink.line(
                    f"Could not remove {what} ({gone.message}); once Docker is back, running "
                    "the same create again makes it again",
                    stream="warn",
                )
            raise
        return True

    def _next_port(self, label: str, *, avoid: set[int]) -> int:
        """The port the plan would choose now, never one of `avoid`."""
        taken = {info.port for info in self._containers() if info.port}
        taken |= set(self.docker.publishers()) | set(self.pins.values()) | avoid
        return choose_port(label, port_range(self.config.ports), taken, port_is_free)

    def drop(
        self, target: DbTarget, *, sink: LogSink, purge: bool = False, force: bool = False
    ) -> bool:
        del force  # removing the container ends its sessions; the plan asked about them
        refuse_shared(target, "drop")
        assert target.container is not None
        existing = self.docker.get(target.container)
        if existing is None:
            sink.line(f"Container {target.container} was already gone")
            return False
        volume = None if self.config.keep_volume and not purge else existing.volume
        sink.step(
            f"Removing container {existing.name}" + (f" and its volume {volume}" if volume else "")
        )
        if existing.volume and not volume:
            sink.line(f"Keeping volume {existing.volume} ([container] keep_volume)")
        self.docker.remove(existing.name, volume=volume)
        self._forget_listing()
        return True

    def stop(self, target: DbTarget, *, sink: LogSink) -> None:
        """Stop the target's container (its data stays in the volume)."""
        assert target.container is not None
        info = self.docker.get(target.container)
        if info is None or not info.running:
            sink.line(f"Container {target.container} is not running")
            return
        sink.step(f"Stopping container {target.container}")
        self.docker.stop(target.container)
        self._forget_listing()

    def logs(self, target: DbTarget, lines: int) -> str:
        """The last `lines` lines of the target container's log.

        Raises:
            InvalidInput: the container does not exist (yet).
        """
        assert target.container is not None
        if self.docker.get(target.container) is None:
            raise InvalidInput(f"Container {target.container} does not exist (yet)")
        return self.docker.logs(target.container, lines)
