"""One worktree as the read model shows it: its database, env file and migrations.

`snapshot.Reader` decides which worktrees to read and reads their databases in one round
trip per strategy; `view_of` turns what it found into one `WorktreeView`: the database's
status, what the env file says (and whether it holds what wttui would write), the migration
folder merged with the database's state table (read-only), and lock-safety findings on the
migrations still to run.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING

from wttui.core.models import (
    NO_DATABASE,
    DatabaseInfo,
    DbStatus,
    EnvState,
    MigrationStatus,
    MigrationWarning,
    TargetKey,
    Worktree,
    WorktreeView,
)
from wttui.errors import WttuiError
from wttui.providers.envfile import read_env

if TYPE_CHECKING:
    from wttui.migrations.adapter import LocalMigration
    from wttui.services import Services, WorktreeContext


def view_of(
    services: Services,
    worktree: Worktree,
    context: WorktreeContext | None,
    databases: dict[TargetKey, DatabaseInfo],
    server_error: str | None,
    local: Future[list[LocalMigration]] | None = None,
) -> WorktreeView:
    """One worktree as the read model shows it, from what the read found: its database in
    `databases` (None of it while `server_error`), its env file, its migrations merged with
    their state table, lint findings on those still to run. `local`: the folder's
    migrations, being read already (`snapshot._local`)."""
    if context is None and services.config.strategy_for(worktree.branch) == NO_DATABASE:
        context = services.context(worktree)  # no server involved: known even when it is down
    target = context.target if context else None
    env = env_state(services, worktree, context)
    if target is not None and target.none:
        return WorktreeView(worktree, target, DbStatus.NONE, env=env)
    if context is None or target is None or server_error is not None:
        return WorktreeView(worktree=worktree, target=target, env=env)
    info = databases.get(target.key)
    if info is None:
        return WorktreeView(worktree, target, DbStatus.MISSING, env=env)
    if info.state is not None and info.state != "running":  # a stopped container
        return WorktreeView(worktree, target, DbStatus.STOPPED, info, env=env)
    errors: tuple[str, ...] = ()
    migrations: tuple[MigrationStatus, ...] = ()
    warnings: tuple[MigrationWarning, ...] = ()
    tool = source = folder = None
    if not worktree.prunable:
        try:
            runner = context.tool
            tool, source, folder = runner.name, runner.source, runner.folder
            read = runner.read(target.connect_url, local=local.result() if local else None)
            migrations, warnings = read.statuses, read.warnings
        except WttuiError as exc:
            errors = (str(exc),)
        migrations, lint_error = _linted(services, worktree, migrations)
        errors += lint_error
    return WorktreeView(
        worktree,
        target,
        DbStatus.PRESENT,
        info,
        migrations,
        env=env,
        errors=errors,
        tool=tool,
        tool_source=source,
        tool_folder=folder,
        migration_warnings=warnings,
    )


def _linted(
    services: Services, worktree: Worktree, migrations: tuple[MigrationStatus, ...]
) -> tuple[tuple[MigrationStatus, ...], tuple[str, ...]]:
    """Pending migrations with their lock-safety findings (`migrations.lint`). A missing
    squawk says nothing here (`migrate`'s plan says it once); a failing one is an error."""
    if not any(status.state.to_run for status in migrations):
        return migrations, ()  # nothing to lint (and the linter's module is not even loaded)
    from wttui.migrations.lint import LinterMissing, LintSettings, LintUnavailable, lint_pending

    try:
        settings = LintSettings.of(services.config.migrations)
        return lint_pending(migrations, settings, cwd=worktree.path), ()
    except LinterMissing:
        return migrations, ()
    except LintUnavailable as exc:
        return migrations, (str(exc),)


def env_state(services: Services, worktree: Worktree, context: WorktreeContext | None) -> EnvState:
    """What the worktree's env file says, and whether it holds what wttui would write."""
    path = services.env_path(worktree.path)
    error = None
    try:
        values = read_env(path)
    except WttuiError as exc:  # one unreadable .env never hides the other worktrees
        values, error = {}, exc.message
    current = values.get(services.config.env.url_key)
    matches = False
    if context is not None:
        matches = all(values.get(key) == value for key, value in context.env_values.items())
    return EnvState(
        path=path,
        exists=path.exists(),
        database_url=current,
        matches=matches,
        error=error,
        known=context is not None,
    )
