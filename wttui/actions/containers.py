"""Start, stop and read the logs of a worktree's container (container strategy)."""

from __future__ import annotations

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DbTarget, Worktree
from wttui.errors import InvalidInput
from wttui.services import Services
from wttui.strategies.container import ContainerStrategy


def _container(services: Services, ref: str) -> tuple[Worktree, DbTarget, ContainerStrategy]:
    worktree = services.resolve(ref)
    strategy = services.strategy_for(worktree.branch)
    target = services.target(worktree)
    if not isinstance(strategy, ContainerStrategy) or target.container is None:
        raise InvalidInput(
            f"{worktree.label} uses the {target.strategy} strategy: it has no container",
            hint='set [database] strategy = "container" to give each worktree one',
        )
    return worktree, target, strategy


def start(services: Services, ref: str, *, sink: LogSink, cancel: CancelToken) -> None:
    """Start the container of worktree `ref` (creating it if it is gone) and wait until ready."""
    del cancel
    _, target, strategy = _container(services, ref)
    strategy.provision(target, sink=sink)
    sink.step(f"{target.label} is up on {target.masked_url}")


def stop(services: Services, ref: str, *, sink: LogSink, cancel: CancelToken) -> None:
    del cancel
    _, target, strategy = _container(services, ref)
    assert target.container is not None
    info = strategy.docker.get(target.container)
    if info is None or not info.running:
        sink.line(f"Container {target.container} is not running")
        return
    sink.step(f"Stopping container {target.container}")
    strategy.docker.stop(target.container)


def restart(services: Services, ref: str, *, sink: LogSink, cancel: CancelToken) -> None:
    """Stop the container of worktree `ref` if it runs, then start it and wait until ready."""
    stop(services, ref, sink=sink, cancel=cancel)
    cancel.check()
    start(services, ref, sink=sink, cancel=cancel)


def logs(
    services: Services, ref: str, *, lines: int = 100, sink: LogSink, cancel: CancelToken
) -> None:
    """The last `lines` lines of the container's log, into `sink`."""
    del cancel
    _, target, strategy = _container(services, ref)
    assert target.container is not None
    if strategy.docker.get(target.container) is None:
        raise InvalidInput(f"Container {target.container} does not exist (yet)")
    sink.step(f"Last {lines} log lines of {target.container}")
    for line in strategy.docker.logs(target.container, lines).splitlines():
        sink.line(line)
