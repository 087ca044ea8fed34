"""Plan and execute in one call, as the CLI does after `--yes`: tests of what actions do read
better this way. Each returns what a user would look at next."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from wttui import actions, plans_create, plans_exec, plans_migrate, plans_remove
from wttui.core.logsink import CancelToken, ListSink, LogSink
from wttui.core.models import WorktreeView
from wttui.services import Services
from wttui.snapshot import read_view


def _io(sink: LogSink | None, cancel: CancelToken | None) -> tuple[LogSink, CancelToken]:
    return sink or ListSink(), cancel or CancelToken()


def create(
    services: Services,
    branch: str,
    *,
    base: str | None = None,
    adopt: bool = False,
    force_env: bool = False,
    sink: LogSink | None = None,
    cancel: CancelToken | None = None,
) -> WorktreeView:
    plan = plans_create.plan_create(services, branch, base=base, adopt=adopt, force_env=force_env)
    out, token = _io(sink, cancel)
    path = actions.create(services, plan, sink=out, cancel=token)
    return read_view(services, str(path))


def migrate(
    services: Services, ref: str, *, sink: LogSink | None = None, cancel: CancelToken | None = None
) -> int:
    plan = plans_migrate.plan_migrate(services, ref)
    out, token = _io(sink, cancel)
    return actions.migrate(services, plan, sink=out, cancel=token)


def rollback(
    services: Services,
    ref: str,
    *,
    steps: int = 1,
    sink: LogSink | None = None,
    cancel: CancelToken | None = None,
) -> int:
    plan = plans_migrate.plan_rollback(services, ref, steps=steps)
    out, token = _io(sink, cancel)
    return actions.rollback(services, plan, sink=out, cancel=token)


def remove(
    services: Services,
    ref: str,
    *,
    keep_db: bool = False,
    force: bool = False,
    sink: LogSink | None = None,
    cancel: CancelToken | None = None,
) -> None:
    plan = plans_remove.plan_remove(services, ref, keep_db=keep_db, force=force)
    out, token = _io(sink, cancel)
    actions.remove(services, plan, sink=out, cancel=token)


def reset(
    services: Services,
    ref: str,
    *,
    force: bool = False,
    sink: LogSink | None = None,
    cancel: CancelToken | None = None,
) -> None:
    plan = plans_remove.plan_reset(services, ref, force=force)
    out, token = _io(sink, cancel)
    actions.reset(services, plan, sink=out, cancel=token)


def run(
    services: Services,
    ref: str,
    argv: Sequence[str],
    *,
    force: bool = False,
    sink: LogSink | None = None,
    cancel: CancelToken | None = None,
) -> int:
    from wttui.actions.exec import run_in_worktree

    plan = plans_exec.plan_exec(services, ref, argv, force=force)
    out, token = _io(sink, cancel)
    return run_in_worktree(services, plan, sink=out, cancel=token)


def container(
    services: Services,
    ref: str,
    verb: str,
    *,
    sink: LogSink | None = None,
    cancel: CancelToken | None = None,
) -> None:
    from wttui.actions.containers import VERBS

    plan = plans_exec.plan_container(services, ref, verb)
    out, token = _io(sink, cancel)
    VERBS[verb](services, plan, sink=out, cancel=token)


def path_of(services: Services, ref: str) -> Path:
    return services.resolve(ref).path
