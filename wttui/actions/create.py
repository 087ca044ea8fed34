"""F11 create: worktree → database → .env → migrations → seeds, resumable.

The database comes, in order of preference, from another worktree's data (`--from`), from the
template cache (a clone of the nearest template plus the missing migrations, F26), or empty
with every migration replayed. A create that stops half way (a failed migration or seed, a
cancel) leaves a marker in the worktree's git admin directory, which also lists the seed files
that went through. Planning the same create again sees the marker and finishes the remaining
steps without duplicating any.
"""

from __future__ import annotations

import time
from pathlib import Path

from wttui.actions.seed import run_seeds
from wttui.actions.templates import Cloned, provision_from_template, saved_line
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.plans import CreatePlan
from wttui.plans_create import create_marker
from wttui.services import Services, WorktreeContext

SEEDED = "seeded "
"""Marker line prefix: a seed file that went through (not run again on resume)."""


def say_excluded(services: Services, worktree_path: Path, sink: LogSink) -> None:
    """Keep the env file out of git (F15), and say so the one time the pattern is added."""
    added = services.env.keep_out_of_git(worktree_path)
    if added is not None:
        sink.line(
            f"Added /{services.config.env.file} to {added} (shared by every worktree): "
            "wttui's files never show as changes"
        )


def create(services: Services, plan: CreatePlan, *, sink: LogSink, cancel: CancelToken) -> Path:
    """Execute `plan`: add the worktree (unless it exists), provision its database, write its
    env file, apply its migrations and run its seeds. Returns the worktree's path.

    Raises:
        GitError, DatabaseUnavailable, MigrationFailed, SeedFailed, Cancelled; EnvConflict when
        a hand-set value appeared in the env file since the plan.
    """
    target = plan.target
    branch = plan.branch
    if plan.record_strategy is not None:  # first: a create that stops half way still knows
        services.record_strategy(branch, plan.record_strategy)
        sink.line(
            f"Recorded strategy {plan.record_strategy} for {branch} in git config "
            f"(branch.{branch}.wttuiStrategy)"
        )
    if target.none:
        return _without_database(services, plan, sink=sink)
    if plan.worktree is None:
        sink.step(f"Create {branch} with database {target.label} on {target.server}")
        kind = (
            "existing branch" if plan.existing_branch else f"new branch from {plan.base or 'HEAD'}"
        )
        sink.step(f"Adding worktree {plan.path} ({kind} {branch})")
        # The plan listed the worktrees already; git itself refuses a second checkout.
        worktree = services.git.add_worktree(plan.path, branch, base=plan.base, entries=[])
    else:
        worktree = plan.worktree
        verb = "Resuming create of" if plan.resuming else "Provisioning"
        sink.step(f"{verb} {branch} at {worktree.path} (database {target.label})")
        if plan.finish_checkout:
            sink.step(f"Finishing the checkout git left half done in {worktree.path}")
            services.git.finish_checkout(worktree.path)
    marker = create_marker(services, worktree.path)
    if marker is not None and not marker.exists():
        marker.write_text("create started\n")
    context = services.context(worktree, target=target, label=branch)
    cancel.check()
    cloned = _database(services, plan, context, sink=sink, cancel=cancel)
    if target.container is not None:  # its port moves on when taken since the plan
        target = context.strategy.plan(branch)
        context = services.context(worktree, target=target, label=branch)
    cancel.check()
    if plan.env_template:
        sink.step(f"Rendering {context.env_file} from {plan.env_template}")
    else:
        sink.step(f"Writing {services.config.env.url_key} to {context.env_file}")
    say_excluded(services, worktree.path, sink)
    change = services.env.write(context, force=plan.force_env)
    if not change.changed:
        sink.line(f"{context.env_file.name} already up to date")
    if change.mode_before is not None:
        sink.line(
            f"{context.env_file.name} was readable by others (mode {change.mode_before:o}): "
            "now 0600",
            stream="warn",
        )
    cancel.check()
    sink.step(f"Migrating {target.label}")
    started = time.monotonic()
    if isinstance(cloned, Cloned) and cloned.count == cloned.total:
        # The template holds exactly this worktree's migrations (their hash named it): the
        # tool has nothing to apply, and starting a CLI only to hear that costs a second.
        applied = 0
    else:
        applied = context.tool.apply(
            target.connect_url, context=context.apply_context(), sink=sink, cancel=cancel
        )
    if not applied:
        sink.line("No pending migrations")
    if isinstance(cloned, Cloned):
        sink.line(saved_line(cloned, time.monotonic() - started))
    if plan.seeds and plan.source is None:
        _seed(services, context, marker, sink=sink, cancel=cancel)
    elif plan.seeds:
        sink.line(f"Seeds skipped: the data came from {plan.source.label if plan.source else ''}")
    if marker is not None:
        marker.unlink(missing_ok=True)
    sink.step(f"Worktree {worktree.label} is ready at {worktree.path}")
    return worktree.path


def _database(
    services: Services,
    plan: CreatePlan,
    context: WorktreeContext,
    *,
    sink: LogSink,
    cancel: CancelToken,
) -> Cloned | bool:
    """The worktree's database: copied from `--from`, cloned from a template, or provisioned
    empty. A template clone is returned for the log's "time saved" line."""
    target = plan.target
    fresh = not (plan.adopt or context.strategy.info(target) is not None)
    if plan.source_target is not None and fresh:
        from_source(services, plan, context, sink=sink, cancel=cancel)
        return True
    if plan.template_cache and fresh:
        cloned = provision_from_template(services, context, sink=sink, cancel=cancel)
        if cloned is not None:
            return cloned
    context.strategy.provision(target, sink=sink, adopt=plan.adopt, owned=plan.adopt, cancel=cancel)
    return False


def from_source(
    services: Services,
    plan: CreatePlan,
    context: WorktreeContext,
    *,
    sink: LogSink,
    cancel: CancelToken,
) -> None:
    """`--from`: the new database starts as a copy of the source worktree's."""
    from wttui.lifecycle.copying import copy_database_of, copy_schema_of
    from wttui.lifecycle.ownership import hand_to_worktree

    source = plan.source_target
    assert source is not None
    target = plan.target
    admin = services.server.admin_url() if target.container is None else ""
    if target.schema is not None:
        copy_schema_of(source, target.schema, admin_url=admin, sink=sink, cancel=cancel)
        hand_to_worktree(services.server, target, schema=target.schema)
        return
    if target.container is not None:
        # the container, its empty database
        context.strategy.provision(target, sink=sink, cancel=cancel)
        target = context.strategy.plan(plan.branch)  # its port moves on when taken
    copy_database_of(
        source,
        target,
        target.name,
        admin_url=admin,
        clone_method=services.config.database.clone_method,
        sink=sink,
        cancel=cancel,
    )
    hand_to_worktree(services.server, target)  # the copy is the new worktree's, not the admin's


def _seed(
    services: Services,
    context: WorktreeContext,
    marker: Path | None,
    *,
    sink: LogSink,
    cancel: CancelToken,
) -> None:
    """Run the seeds, skipping files a stopped create already ran (listed in the marker)."""
    done: set[str] = set()
    if marker is not None and marker.exists():
        done = {
            line[len(SEEDED) :]
            for line in marker.read_text().splitlines()
            if line.startswith(SEEDED)
        }

    def finished(relative: str) -> None:
        if marker is not None:
            with marker.open("a") as out:
                out.write(f"{SEEDED}{relative}\n")

    run_seeds(services, context, sink=sink, cancel=cancel, skip=done, on_file=finished)


def _without_database(services: Services, plan: CreatePlan, *, sink: LogSink) -> Path:
    """A worktree with no database: the worktree alone, no env key, no migrations."""
    branch = plan.branch
    if plan.worktree is None:
        kind = (
            "existing branch" if plan.existing_branch else f"new branch from {plan.base or 'HEAD'}"
        )
        sink.step(f"Adding worktree {plan.path} ({kind} {branch}), with no database")
        worktree = services.git.add_worktree(plan.path, branch, base=plan.base, entries=[])
    else:
        worktree = plan.worktree
    sink.line("No database (strategy none): no .env key written, no migrations run")
    sink.step(f"Worktree {worktree.label} is ready at {worktree.path}")
    return worktree.path
