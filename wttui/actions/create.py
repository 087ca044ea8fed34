"""F11 create: worktree → database → .env → migrations, resumable.

A create that stops half way (a failed migration, a cancel) leaves a marker in the worktree's
git admin directory. Planning the same create again sees the marker and finishes the remaining
steps without duplicating any.
"""

from __future__ import annotations

from pathlib import Path

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.plans import CreatePlan
from wttui.plans import create_marker
from wttui.services import Services


def create(services: Services, plan: CreatePlan, *, sink: LogSink, cancel: CancelToken) -> Path:
    """Execute `plan`: add the worktree (unless it exists), provision its database, write its
    env file and apply its migrations. Returns the worktree's path.

    Raises:
        GitError, DatabaseUnavailable, MigrationFailed, Cancelled; EnvConflict when a hand-set
        value appeared in the env file since the plan.
    """
    target = plan.target
    branch = plan.branch
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
    context.strategy.provision(target, sink=sink, adopt=plan.adopt, owned=plan.adopt)
    if target.container is not None:  # its port moves on when taken since the plan
        target = context.strategy.plan(branch)
        context = services.context(worktree, target=target, label=branch)
    cancel.check()
    sink.step(f"Writing {services.config.env.url_key} to {context.env_file}")
    change = services.write_env(context, force=plan.force_env)
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
    applied = context.tool.apply(
        target.connect_url, context=context.apply_context(), sink=sink, cancel=cancel
    )
    if not applied:
        sink.line("No pending migrations")
    if marker is not None:
        marker.unlink(missing_ok=True)
    sink.step(f"Worktree {worktree.label} is ready at {worktree.path}")
    return worktree.path
