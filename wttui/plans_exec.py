"""The plans of `wttui exec`, `wttui psql` and the container commands: a command run in a
worktree with its database env (guarded on shared databases), its container started, stopped or
read. See `plans.py` for how plans work.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from wttui.core.guards import judge
from wttui.core.libpq import schema_env
from wttui.core.plans import Confirmation, ContainerPlan, ExecPlan
from wttui.errors import InvalidInput, NeedsForce, Refused, WttuiError
from wttui.plans import refuse_none, sharing

if TYPE_CHECKING:
    from wttui.core.models import DbTarget
    from wttui.providers.git_porcelain import WorktreeEntry
    from wttui.services import Services, WorktreeContext


def plan_exec(
    services: Services, ref: str, argv: Sequence[str], *, force: bool = False
) -> ExecPlan:
    """Run `argv` in the worktree with its database env.

    Raises:
        InvalidInput: no command.
        Refused: on a database another worktree uses, a command in `[database] refuse`
            (overridden by `force`, after the typed database name).
    """
    if not argv:
        raise InvalidInput("No command to run", hint="wttui exec BRANCH -- COMMAND [ARGS…]")
    entries = services.git.entries()
    context = services.context(services.resolve(ref, entries))
    return _exec(services, context, entries, argv, force)


def plan_psql(services: Services, ref: str, client: Sequence[str]) -> ExecPlan:
    """Open `client` (psql or pgcli) on the worktree's database: `plan_exec`'s rules, and
    there must be a database to open.

    Raises:
        NoDatabase: the worktree has no database (strategy none).
    """
    entries = services.git.entries()
    context = services.context(services.resolve(ref, entries))
    refuse_none(context, "open psql on")
    return _exec(services, context, entries, client, False)


def _exec(
    services: Services,
    context: WorktreeContext,
    entries: list[WorktreeEntry],
    argv: Sequence[str],
    force: bool,
) -> ExecPlan:
    target = context.target
    shared_with = sharing(services, context, entries)
    verdict = judge(argv, services.config.database.refuse)
    overrides: list[WttuiError] = []
    if not verdict.clear and (target.shared or shared_with):
        users = ", ".join(shared_with) or "other worktrees"
        if verdict.rule is not None:
            what = f"`{' '.join(argv)}` matches the rule `{verdict.rule}`: it would wipe"
        else:  # a shell string wttui cannot see into: on a shared database, no benefit of doubt
            what = f"`{' '.join(argv)}`: {verdict.reason()}, and it runs against"
        overrides.append(
            NeedsForce(
                f"{what} {target.label}, which {users} also use(s)",
                hint="run it in a worktree with its own database, or change [database] refuse",
            )
        )
    if overrides and not force:
        raise Refused(overrides[0].message, hint=overrides[0].hint)
    confirmation = None
    if overrides:
        confirmation = Confirmation(
            f"Run `{' '.join(argv)}` against shared database {target.label} on {target.server}?",
            typed=target.label,
            yes="Run",
        )
    env, libpq = command_env(services, target, context.env_values, argv)
    return ExecPlan(
        worktree=context.worktree,
        target=target,
        argv=tuple(argv),
        env=env,
        shared_with=shared_with,
        overrides=tuple(error.message for error in overrides),
        confirmation=confirmation,
        libpq=libpq,
    )


def command_env(
    services: Services, target: DbTarget, env: Mapping[str, str], argv: Sequence[str]
) -> tuple[dict[str, str], tuple[str, ...]]:
    """The managed keys `env` as a command run against `target` gets them (exec, psql, `wttui
    test`, the seed command), and what was added, in words: in the schema strategy libpq
    clients land in its schema (`core.libpq.schema_env`: `PGOPTIONS`, and the URL in libpq's
    form for `psql` and friends); unchanged otherwise."""
    return schema_env(
        env,
        argv,
        schema=target.schema,
        url_key=services.config.env.url_key,
        libpq_url=target.connect_url,
        caller_options=os.environ.get("PGOPTIONS", ""),
    )


def plan_container(services: Services, ref: str, verb: str) -> ContainerPlan:
    """Start, stop, restart or read the logs of the worktree's container.

    Raises:
        NoDatabase: the worktree has no database (strategy none).
        InvalidInput: the worktree's strategy gives it no container.
    """
    context = services.context_of(ref)
    target = context.target
    refuse_none(context, "show the logs of" if verb == "logs" else verb)
    if target.container is None:
        raise InvalidInput(
            f"{context.label} uses the {target.strategy} strategy: it has no container",
            hint='set [database] strategy = "container" to give each worktree one',
        )
    if verb in ("start", "restart"):
        strategy = services.container_strategy(context.worktree)
        info = strategy.info(target)
        if info is not None and info.state != "running" and (clash := strategy.clash(target)):
            raise Refused(
                f"Cannot start the container of {context.label}: {clash}",
                hint="stop that first; wttui never moves an existing container's port",
            )
    return ContainerPlan(verb=verb, worktree=context.worktree, target=target)
