"""F11 create: worktree → database → .env → migrations, resumable.

A create that stops half way (a failed migration, a cancel, an env conflict) leaves a marker in
the worktree's git admin directory. Running the same create again sees the marker and finishes
the remaining steps without duplicating any; without the marker, a branch that already has a
worktree is refused.
"""

from __future__ import annotations

from pathlib import Path

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import Worktree, WorktreeView
from wttui.core.urls import url_secrets
from wttui.errors import InvalidInput
from wttui.providers.envfile import write_env
from wttui.services import Services
from wttui.strategies.base import unowned

MARKER = "wttui-create-pending"


def _admin_dir(worktree_path: Path) -> Path | None:
    """The worktree's own git directory (`.git/worktrees/<id>`), where the marker lives."""
    dotgit = worktree_path / ".git"
    if not dotgit.is_file():
        return None
    text = dotgit.read_text().strip()
    if not text.startswith("gitdir:"):
        return None
    gitdir = Path(text.removeprefix("gitdir:").strip())
    return gitdir if gitdir.is_absolute() else (worktree_path / gitdir).resolve()


def _marker(worktree_path: Path) -> Path | None:
    admin = _admin_dir(worktree_path)
    return admin / MARKER if admin else None


def is_pending(worktree_path: Path) -> bool:
    """True when a create of this worktree started and has not finished."""
    marker = _marker(worktree_path)
    return marker is not None and marker.exists()


def create(
    services: Services,
    branch: str,
    *,
    base: str | None = None,
    sink: LogSink,
    cancel: CancelToken,
    force_env: bool = False,
    adopt: bool = False,
) -> WorktreeView:
    """Create a worktree for `branch` with its own database, env file and migrations.

    Raises:
        InvalidInput: invalid branch name; the branch already has a (finished) worktree.
        AdoptableDatabase: the database exists and belongs to no worktree (re-run with adopt).
        EnvConflict: the env file has a hand-set value (re-run with force_env).
        MigrationFailed, GitError, DatabaseUnavailable, Cancelled.
    """
    existing = services.git.find_worktree(branch)
    if existing is not None and existing.branch == branch:
        # A worktree made outside wttui (or a create that stopped half way) is finished, not
        # refused; one that already has its database is.
        target = services.target(existing)
        resuming = is_pending(existing.path)
        strategy = services.strategy_for(existing.branch)
        if not resuming and not target.shared and strategy.info(target) is not None:
            raise InvalidInput(
                f"Branch {branch} already has a worktree at {existing.path} "
                f"with database {target.label}",
                hint="`wttui migrate` updates its database",
            )
        sink.step(
            f"{'Resuming create of' if resuming else 'Provisioning'} {branch} at {existing.path}"
        )
        worktree = existing
        adopt = adopt or resuming
    else:
        plan = services.plan_create(branch, base)
        target = plan.target
        sink.step(f"Create {branch} with database {target.label} on {target.server}")
        exists = services.strategy_for(branch).info(target) is not None
        if exists and not adopt and not target.shared:
            raise unowned(target)
        cancel.check()
        kind = "existing branch" if plan.existing_branch else f"new branch from {base or 'HEAD'}"
        sink.step(f"Adding worktree {plan.path} ({kind} {branch})")
        worktree = services.git.add_worktree(plan.path, branch, base=base)
        marker = _marker(worktree.path)
        if marker is not None:
            marker.write_text("create started\n")
    return _finish(
        services, worktree, target_adopt=adopt, force_env=force_env, sink=sink, cancel=cancel
    )


def _finish(
    services: Services,
    worktree: Worktree,
    *,
    target_adopt: bool,
    force_env: bool,
    sink: LogSink,
    cancel: CancelToken,
) -> WorktreeView:
    target = services.target(worktree)
    cancel.check()
    services.strategy_for(worktree.branch).provision(
        target, sink=sink, adopt=target_adopt, owned=target_adopt
    )
    cancel.check()
    env_path = services.env_path(worktree.path)
    sink.step(f"Writing {services.config.env.url_key} to {env_path}")
    change = write_env(
        env_path,
        services.env_values(target, worktree.label),
        force=force_env,
        secrets=url_secrets(target.url),
        within=worktree.path,
    )
    if not change.changed:
        sink.line(f"{env_path.name} already up to date")
    if change.mode_before is not None:
        sink.line(
            f"{env_path.name} was readable by others (mode {change.mode_before:o}): now 0600",
            stream="warn",
        )
    cancel.check()
    tool = services.migration_tool(worktree.path)
    sink.step(f"Migrating {target.label}")
    applied = tool.apply(
        target.connect_url, context=services.apply_context(worktree), sink=sink, cancel=cancel
    )
    if not applied:
        sink.line("No pending migrations")
    marker = _marker(worktree.path)
    if marker is not None:
        marker.unlink(missing_ok=True)
    sink.step(f"Worktree {worktree.label} is ready at {worktree.path}")
    return services.view(str(worktree.path))
