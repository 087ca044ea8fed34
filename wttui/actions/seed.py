"""Seeds (F40): after migrations on create, and `wttui seed BRANCH`.

The files (`[seeds] files`, rendered for the worktree, missing ones skipped) each run in their
own transaction; then `[seeds] command` runs in the worktree with its database env. The plan
has refused a shared database unless its name was typed.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Collection
from dataclasses import replace

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.plans_lifecycle import SeedPlan
from wttui.core.urls import url_secrets
from wttui.errors import MigrationFailed
from wttui.plans_exec import command_env
from wttui.services import Services, WorktreeContext


def configured(services: Services) -> bool:
    seeds = services.config.seeds
    return bool(seeds.files or seeds.command)


def run_seeds(
    services: Services,
    context: WorktreeContext,
    conninfo: str | None = None,
    *,
    sink: LogSink,
    cancel: CancelToken,
    skip: Collection[str] = (),
    on_file: Callable[[str], None] | None = None,
) -> int:
    """Run the seed files then the seed command against `conninfo` (default: the worktree's
    database); how many files ran. Files in `skip` are not run again (a resumed create);
    `on_file` hears of each one that went through.

    Raises:
        SeedFailed: a file failed (rolled back; file and line in the message).
        MigrationFailed: the command exited non-zero.
        Cancelled: the user cancelled.
    """
    from wttui.lifecycle.seeds import run_file, seed_files

    seeds = services.config.seeds
    url = conninfo or context.target.connect_url
    files = seed_files(seeds.files, context.worktree.path, context.label, services.project)
    ran = 0
    for seed in files:
        cancel.check()
        if not seed.exists:
            sink.line(f"Seed {seed.relative}: no such file (skipped)")
            continue
        if seed.relative in skip:
            sink.line(f"Seed {seed.relative}: ran before this create stopped (skipped)")
            continue
        sink.step(f"Seeding {context.target.label} from {seed.relative}")
        run_file(url, seed, sink=sink, cancel=cancel)
        if on_file is not None:
            on_file(seed.relative)
        ran += 1
    if seeds.command:
        cancel.check()
        argv = ("sh", "-c", seeds.command)
        env = dict(context.env_values)
        libpq_of = context.target  # libpq's variables, and its schema's search_path, as exec
        if conninfo is not None:  # a test or template database, not the worktree's own
            env[services.config.env.url_key] = conninfo
            libpq_of = replace(libpq_of, url=conninfo, conninfo="", schema=None)
        env, _ = command_env(services, libpq_of, env, argv)
        sink.step(f"Running the seed command {seeds.command} in {context.worktree.path}")
        with services.libpq_env(libpq_of) as libpq:
            status = services.run_command(
                argv,
                cwd=context.worktree.path,
                env={**libpq, **env},
                sink=sink,
                cancel=cancel,
                secrets=url_secrets(context.target.url) + url_secrets(url),
            )
        if status:
            raise MigrationFailed(
                f"The seed command {shlex.quote(seeds.command)} exited with status {status}",
                hint="its output is in the log above; fix it and run `wttui seed` again",
            )
    return ran


def seed(services: Services, plan: SeedPlan, *, sink: LogSink, cancel: CancelToken) -> int:
    """Execute `plan`: seed the worktree's database."""
    context = services.context(plan.worktree, target=plan.target)
    sink.step(f"Seed {plan.target.label} on {plan.target.server}")
    ran = run_seeds(services, context, sink=sink, cancel=cancel)
    sink.line(f"{ran} seed file(s) ran" + (" and the seed command" if plan.command else ""))
    return ran
