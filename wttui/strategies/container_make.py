"""Making a worktree's container: its volume's name, `docker run`, and waiting until the
server in it accepts connections (what `ContainerStrategy.provision` does in between: ports
that moved, a create cut short, clean-up on failure).
"""

from __future__ import annotations

import time

from wttui.config import ContainerConfig
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DbTarget
from wttui.core.naming import fit_identifier
from wttui.core.urls import with_database
from wttui.errors import DockerUnavailable, WttuiError
from wttui.providers.docker_engine import (
    LABEL_PASSWORD,
    LABEL_PORT,
    LABEL_PROJECT,
    LABEL_WORKTREE,
    DockerProvider,
)
from wttui.providers.postgres import PostgresProvider
from wttui.strategies.container_role import of_target


def free_volume(docker: DockerProvider, container: str) -> str:
    """`{container}_pgdata`, unless another container (one in wttui's trash, with its data)
    still mounts it: then `…_pgdata_2`, `_3`…, so two never share one."""
    base = fit_identifier(container + "_pgdata")
    candidate, counter = base, 2
    while [user for user in docker.volume_users(candidate) if user != container]:
        candidate = fit_identifier(f"{base}_{counter}")
        counter += 1
    return candidate


def run_container(
    docker: DockerProvider,
    config: ContainerConfig,
    project: str,
    target: DbTarget,
    port: int,
    volume: str,
) -> None:
    """Create and start the target's container publishing `port`, with `volume`: its superuser
    and its worktree's login role in its environment (`container_role`), the superuser's
    password on the volume when wttui chose it (a kept volume is initialised with it)."""
    assert target.container is not None
    logins = of_target(target)
    docker.run_postgres(
        name=target.container,
        image=config.image,
        port=port,
        volume=volume,
        environment=logins.environment(target.name),
        labels={LABEL_PROJECT: project, LABEL_WORKTREE: target.worktree, LABEL_PORT: str(port)},
        volume_labels={
            LABEL_PROJECT: project,
            LABEL_WORKTREE: target.worktree,
            **({} if config.password else {LABEL_PASSWORD: logins.admin_password}),
        },
    )


def wait_ready(
    docker: DockerProvider,
    target: DbTarget,
    sink: LogSink,
    *,
    timeout: int,
    created: bool,
    cancel: CancelToken | None = None,
) -> None:
    """Wait until the container accepts connections to the target database. `cancel` (Ctrl-C
    in the CLI, `x` in the app) ends the wait within a poll (0.3 s) and a connection attempt,
    not after `timeout`.

    Raises:
        DockerUnavailable: it exited (its last log lines said), or `timeout` seconds passed.
        Cancelled: `cancel` was set.
    """
    assert target.container is not None
    sink.line(f"Waiting for PostgreSQL in {target.container} to accept connections")
    provider = PostgresProvider(with_database(target.admin, target.name))
    deadline = time.monotonic() + timeout
    cancel = cancel or CancelToken()
    while True:
        cancel.check()
        try:
            provider.ping()
            return
        except WttuiError:
            pass
        state = docker.get(target.container)
        if state is None or state.state in ("exited", "dead"):
            logs = docker.logs(target.container) if state else ""
            raise DockerUnavailable(
                f"Container {target.container} "
                f"{'exited on start' if created else 'stopped'}; its last log lines:\n"
                f"{logs.rstrip()}"
            )
        if time.monotonic() > deadline:
            logs = docker.logs(target.container)
            raise DockerUnavailable(
                f"Container {target.container} did not accept connections within "
                f"{timeout} s; its last log lines:\n{logs.rstrip()}",
                hint="raise [container] ready_timeout if the machine is slow",
            )
        time.sleep(0.3)
