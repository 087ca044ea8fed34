"""Start, stop and read the logs of a worktree's container (container strategy)."""

from __future__ import annotations

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.plans import ContainerPlan
from wttui.services import Services


def start(services: Services, plan: ContainerPlan, *, sink: LogSink, cancel: CancelToken) -> None:
    """Start the container of the plan's worktree (creating it if it is gone), wait until ready."""
    strategy = services.container_strategy(plan.worktree)
    strategy.provision(plan.target, sink=sink, cancel=cancel)
    target = strategy.plan(plan.target.worktree)  # a container made again may have moved port
    sink.step(f"{target.label} is up on {target.masked_url}")


def stop(services: Services, plan: ContainerPlan, *, sink: LogSink, cancel: CancelToken) -> None:
    del cancel
    services.container_strategy(plan.worktree).stop(plan.target, sink=sink)


def restart(services: Services, plan: ContainerPlan, *, sink: LogSink, cancel: CancelToken) -> None:
    """Stop the container if it runs, then start it and wait until ready."""
    stop(services, plan, sink=sink, cancel=cancel)
    cancel.check()
    start(services, plan, sink=sink, cancel=cancel)


def logs(
    services: Services,
    plan: ContainerPlan,
    *,
    lines: int = 100,
    sink: LogSink,
    cancel: CancelToken,
) -> None:
    """The last `lines` lines of the container's log, into `sink`."""
    del cancel
    container = plan.target.container
    sink.step(f"Last {lines} log lines of {container}")
    for line in services.container_strategy(plan.worktree).logs(plan.target, lines).splitlines():
        sink.line(line)


VERBS = {"start": start, "stop": stop, "restart": restart, "logs": logs}
"""Each container command's action, by the CLI's and the app's verb."""
