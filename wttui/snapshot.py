"""The read model: what the app's refresh and `wttui status` show, read without writing.

`read_snapshot` lists the worktrees once, plans each one's database (`WorktreeContext`), asks
each strategy in use for everything it has in one round trip, then reads every worktree's env
file and migration state in parallel. A server that is down does not fail the read: the
worktrees are still listed, with `server_error` set. Reads never write: migration states come
from read-only sessions, and nothing is created anywhere.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from wttui.core.models import (
    DatabaseInfo,
    DbStatus,
    EnvState,
    MigrationState,
    MigrationStatus,
    RepoSnapshot,
    TargetKey,
    Worktree,
    WorktreeView,
)
from wttui.core.naming import sanitize
from wttui.core.sharing import with_sharing
from wttui.drift.holders import name_owners, versions_in
from wttui.errors import InvalidInput, WttuiError
from wttui.providers.envfile import read_env

if TYPE_CHECKING:
    from wttui.drift.analysis import DriftReport
    from wttui.services import Services, WorktreeContext

_WORKERS = min(8, (os.cpu_count() or 2) * 2)
"""Per-worktree reads are I/O bound (a connection, a file): a few threads overlap them."""


def read_snapshot(services: Services) -> RepoSnapshot:
    """A full refresh. Blocking: call it from a worker thread."""
    worktrees = services.git.list_worktrees()
    server_error: str | None = None
    databases: dict[TargetKey, DatabaseInfo] = {}
    contexts: dict[Path, WorktreeContext] = {}
    try:
        for worktree in worktrees:
            contexts[worktree.path] = services.context(worktree)
        for name in {services.config.strategy_for(w.branch) for w in worktrees}:
            databases.update(services.strategy(name).inventory())
    except WttuiError as exc:
        server_error = str(exc)
    watched: list[Path] = [services.git.worktrees_meta_dir]

    def view(worktree: Worktree) -> WorktreeView:
        context = contexts.get(worktree.path)
        found = _view(services, worktree, context, databases, server_error)
        if context is not None and not worktree.prunable:
            watched.extend(context.tool.watch_paths())
        watched.append(services.env_path(worktree.path))
        return found

    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        views = with_sharing(list(pool.map(view, worktrees)))
    if any(m.state is MigrationState.APPLIED_ELSEWHERE for v in views for m in v.migrations):
        views = name_owners(views, _branch_versions(services, worktrees, contexts))
    used = {view.target.key for view in views if view.target}
    return RepoSnapshot(
        root=services.root,
        project=services.project,
        server=services.server_label,
        views=tuple(views),
        server_error=server_error,
        orphans=_orphans(services, databases, used) if server_error is None else (),
        watched=tuple(dict.fromkeys(watched)),
    )


def _orphans(
    services: Services, databases: dict[TargetKey, DatabaseInfo], used: set[TargetKey]
) -> tuple[DatabaseInfo, ...]:
    """Databases named like this project's per-worktree ones that no worktree uses."""
    head = services.config.database.name_for("database").split("{worktree}")[0]
    prefix = head.split("{branch}")[0].format(project=sanitize(services.project))
    return tuple(
        info
        for key, info in sorted(databases.items(), key=lambda item: item[0].database)
        if not key.container
        and key.schema is None
        and key.database.startswith(prefix)
        and key not in used
    )


def _view(
    services: Services,
    worktree: Worktree,
    context: WorktreeContext | None,
    databases: dict[TargetKey, DatabaseInfo],
    server_error: str | None,
) -> WorktreeView:
    target = context.target if context else None
    env = env_state(services, worktree, context)
    if context is None or target is None or server_error is not None:
        return WorktreeView(worktree=worktree, target=target, env=env)
    info = databases.get(target.key)
    if info is None:
        return WorktreeView(worktree, target, DbStatus.MISSING, env=env)
    if info.state is not None and info.state != "running":  # a stopped container
        return WorktreeView(worktree, target, DbStatus.STOPPED, info, env=env)
    errors: tuple[str, ...] = ()
    migrations: tuple[MigrationStatus, ...] = ()
    tool = None
    if not worktree.prunable:
        try:
            tool = context.tool.name
            migrations = context.tool.status(target.connect_url)
        except WttuiError as exc:
            errors = (str(exc),)
        else:
            errors = _foreign(services, tool, migrations, target.connect_url)
    return WorktreeView(
        worktree, target, DbStatus.PRESENT, info, migrations, env=env, errors=errors, tool=tool
    )


def _foreign(
    services: Services, tool: str, migrations: tuple[MigrationStatus, ...], conninfo: str
) -> tuple[str, ...]:
    """When the detected runner sees nothing at all, another tool's state table is said (a
    monorepo's `apps/web/prisma`); only then, so a refresh pays nothing otherwise."""
    if migrations or tool != "sql" or services.config.migrations.tool != "auto":
        return ()
    from wttui.migrations.foreign import foreign_note, foreign_state_tables

    found = foreign_state_tables(conninfo, tool=tool)
    return (foreign_note(found),) if found else ()


def env_state(services: Services, worktree: Worktree, context: WorktreeContext | None) -> EnvState:
    """What the worktree's env file says, and whether it holds what wttui would write."""
    path = services.env_path(worktree.path)
    try:
        values = read_env(path)
    except WttuiError:
        values = {}
    current = values.get(services.config.env.url_key)
    matches = False
    if context is not None:
        matches = all(values.get(key) == value for key, value in context.env_values.items())
    return EnvState(path=path, exists=path.exists(), database_url=current, matches=matches)


def migrations_folder(services: Services) -> str:
    """The migration folder relative to the repository (as the main worktree's tool has it)."""
    return services.migration_tool(services.root).folder.relative_to(services.root).as_posix()


def _branch_versions(
    services: Services, worktrees: list[Worktree], contexts: dict[Path, WorktreeContext]
) -> dict[str, set[str]]:
    """Migration identities on each local branch that has no worktree, read through git."""
    checked_out = {w.branch for w in worktrees}
    main = contexts.get(services.root)
    folder = main.tool.folder if main else services.migration_tool(services.root).folder
    relative = folder.relative_to(services.root).as_posix()
    git = services.git
    return {
        branch: versions_in(git.files_at(branch, relative))
        for branch in git.local_branches()
        if branch not in checked_out
    }


def read_drift(services: Services, snapshot: RepoSnapshot | None = None) -> DriftReport:
    """The cross-branch report (F32, F34). Blocking: git and the databases are read."""
    from wttui.drift.analysis import LintRule
    from wttui.drift.branches import drift_report  # pglast: only when asked for

    settings = services.config.migrations
    return drift_report(
        services.git,
        migrations_folder(services),
        LintRule(pattern=settings.name_pattern, vague=tuple(settings.vague_names)),
        snapshot or read_snapshot(services),
    )


def read_view(services: Services, ref: str) -> WorktreeView:
    """The read model of one worktree (named as `resolve` accepts).

    Raises:
        InvalidInput: no worktree matches.
    """
    path = services.resolve(ref).path
    for view in read_snapshot(services).views:
        if view.worktree.path == path:
            return view
    raise InvalidInput(f"No worktree for {ref!r}")
