"""The composition root: the one place providers are built, and the read models workers call.

`Services.from_path` discovers the repository, loads the config and wires git, the server, the
strategy and the migration tool together. `snapshot()` is the full refresh the app's worker and
`wttui status` both call: one `git worktree list`, one catalog query, then each worktree's env
file and migration table read in parallel. Nothing here imports Textual.
"""

from __future__ import annotations

import os
import shlex
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from wttui import config as config_module
from wttui.config import Config
from wttui.core.models import (
    CreatePlan,
    DatabaseInfo,
    DbStatus,
    DbTarget,
    EnvState,
    MigrationState,
    MigrationStatus,
    RemovePlan,
    RepoSnapshot,
    Worktree,
    WorktreeView,
)
from wttui.core.naming import (
    check_branch_name,
    check_schema_name,
    is_reserved_schema,
    name_prefix,
    worktree_dirname,
    worktree_slug,
)
from wttui.core.sharing import shares, with_sharing
from wttui.core.urls import url_parts
from wttui.drift.holders import name_owners, versions_in
from wttui.errors import InvalidInput, WttuiError
from wttui.migrations.base import ApplyContext
from wttui.providers.conninfo import location
from wttui.providers.envfile import check_values, read_env
from wttui.providers.git import GitProvider
from wttui.providers.server import Server
from wttui.strategies.base import Strategy, TargetKey
from wttui.strategies.database import DatabaseStrategy

if TYPE_CHECKING:
    from wttui.drift.analysis import DriftReport
    from wttui.migrations.base import MigrationTool

_WORKERS = min(8, (os.cpu_count() or 2) * 2)
"""Per-worktree reads are I/O bound (a connection, a file): a few threads overlap them."""


class Services:
    """Providers and read models for one repository."""

    def __init__(self, config: Config, git: GitProvider, server: Server) -> None:
        self.config = config
        self.git = git
        self.server = server
        self.root = git.root
        self.project = config.project_name(self.root)
        self._strategies: dict[str, Strategy] = {}

    def strategy(self, name: str) -> Strategy:
        """The strategy called `name`, made on first use."""
        if name not in self._strategies:
            database = self.config.database
            template = database.name_for(name)
            made: Strategy
            if name == "container":
                from wttui.providers.docker_engine import DockerProvider
                from wttui.strategies.container import ContainerStrategy

                made = ContainerStrategy(
                    DockerProvider(),
                    project=self.project,
                    template=template,
                    config=self.config.container,
                )
            elif name == "schema":
                from wttui.strategies.schema import SchemaStrategy  # psycopg: after first frame

                made = SchemaStrategy(
                    self.server, project=self.project, template=template, schema=database.schema
                )
            else:
                made = DatabaseStrategy(
                    self.server,
                    project=self.project,
                    template=template,
                    source_db=database.template,
                    shared=name == "shared",
                )
            self._strategies[name] = made
        return self._strategies[name]

    def strategy_for(self, branch: str | None) -> Strategy:
        """The strategy of the worktree on `branch` (its `[worktrees."…"]` override or the
        project's)."""
        return self.strategy(self.config.strategy_for(branch))

    @classmethod
    def from_path(cls, start: Path, *, server: Server | None = None) -> Services:
        """Discover the repository containing `start` and build everything for it.

        Raises:
            GitError: `start` is not inside a git repository.
            ConfigError: the config file is malformed.
        """
        git = GitProvider.discover(start)
        config = config_module.load(git.root)
        return cls(config, git, server or Server(config.database.url))

    @property
    def server_label(self) -> str:
        """Where the project's databases live: the server, or the Docker engine."""
        if self.config.database.strategy == "container":
            return f"Docker at {os.environ.get('DOCKER_HOST') or 'the local engine'}"
        return self.server.label

    # -- naming and lookup -------------------------------------------------------------------

    def resolve(self, ref: str) -> Worktree:
        """The worktree named by a branch, a path or a directory name.

        Raises:
            InvalidInput: no worktree matches.
        """
        worktree = self.git.find_worktree(ref)
        if worktree is None:
            raise InvalidInput(f"No worktree for {ref!r}", hint="`wttui status` lists them")
        return worktree

    def target(self, worktree: Worktree) -> DbTarget:
        return self.strategy_for(worktree.branch).plan(worktree.label)

    def worktree_path_for(self, branch: str) -> Path:
        """Where a new worktree for `branch` goes (`<worktrees_dir>/<slug>`)."""
        return self.config.worktrees_path(self.root) / worktree_dirname(branch)

    def env_path(self, worktree_path: Path) -> Path:
        return worktree_path / self.config.env.file

    def env_values(self, target: DbTarget, worktree_label: str) -> dict[str, str]:
        """Every env key wttui manages for a worktree, rendered."""
        values = {self.config.env.url_key: target.url}
        if target.container:  # the seed recipe's keys for a container per worktree
            values["DB_PORT"] = url_parts(target.url)["port"]
            values["COMPOSE_PROJECT_NAME"] = target.container
        fields = {
            **url_parts(target.url),
            "url": target.url,
            "project": self.project,
            "worktree": worktree_slug(worktree_label),
            "branch": worktree_label,
        }
        for key, template in self.config.env.keys.items():
            values[key] = template.format(**fields)
        return values

    def migration_tool(self, worktree_path: Path) -> MigrationTool:
        """The worktree's migration tool: configured, or detected from its files."""
        # Imported here: psycopg is not needed for the first frame.
        from wttui.migrations.registry import ADAPTERS, detect
        from wttui.migrations.runner import ToolRunner
        from wttui.migrations.sql_runner import SqlMigrationTool

        settings = self.config.migrations
        adapter = ADAPTERS.get(settings.tool)
        if settings.tool == "auto":
            adapter = detect(worktree_path)
        if adapter is None:
            folder = worktree_path / (settings.dir or "migrations")
            return SqlMigrationTool(folder, table=settings.table)
        locate = getattr(adapter, "folder", None)  # a tool whose config names its folder
        default = locate(worktree_path) if locate else adapter.default_dir
        return ToolRunner(
            adapter,
            worktree_path / (settings.dir or default),
            apply=shlex.split(settings.apply) or None,
            rollback=shlex.split(settings.rollback) or None,
        )

    def apply_context(self, worktree: Worktree, target: DbTarget | None = None) -> ApplyContext:
        target = target or self.target(worktree)
        return ApplyContext(
            worktree=worktree.label,
            branch=worktree.branch,
            commit=worktree.head,
            path=worktree.path,
            env=self.env_values(target, worktree.label),
        )

    def watch_paths(self, snapshot: RepoSnapshot) -> list[Path]:
        """What the app watches to refresh on change: worktree metadata, migrations, env files."""
        paths = [self.git.worktrees_meta_dir]
        for view in snapshot.views:
            paths.extend(self.migration_tool(view.worktree.path).watch_paths())
            paths.append(self.env_path(view.worktree.path))
        return paths

    # -- read models -------------------------------------------------------------------------

    def snapshot(self) -> RepoSnapshot:
        """A full refresh. Blocking: call it from a worker thread.

        A server that is down does not fail the refresh: the worktrees are still listed, with
        `server_error` set and their database status unreachable.
        """
        worktrees = self.git.list_worktrees()
        server_error: str | None = None
        databases: dict[TargetKey, DatabaseInfo] = {}
        targets: dict[Path, DbTarget] = {}
        try:
            for worktree in worktrees:
                targets[worktree.path] = self.target(worktree)
            for name in {self.config.strategy_for(w.branch) for w in worktrees}:
                databases.update(self.strategy(name).inventory())
        except WttuiError as exc:
            server_error = str(exc)
        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            views = list(
                pool.map(
                    lambda wt: self._view(wt, targets.get(wt.path), databases, server_error),
                    worktrees,
                )
            )
        views = with_sharing(views, location)
        if any(m.state is MigrationState.APPLIED_ELSEWHERE for v in views for m in v.migrations):
            views = name_owners(views, self._branch_versions(worktrees))
        used = {view.target.key for view in views if view.target}
        # Orphans: databases named like this project's per-worktree ones that no worktree uses.
        prefix = name_prefix(self.config.database.name_for("database"), project=self.project)
        orphans = tuple(
            info
            for key, info in sorted(databases.items(), key=lambda item: item[0][1])
            if key[0] == "" and key[2] is None and key[1].startswith(prefix) and key not in used
        )
        return RepoSnapshot(
            root=self.root,
            project=self.project,
            server=self.server_label,
            views=tuple(views),
            server_error=server_error,
            orphans=orphans if server_error is None else (),
        )

    def migrations_folder(self) -> str:
        """The migration folder relative to the repository (as the main worktree's tool has it)."""
        folder = self.migration_tool(self.root).watch_paths()[0]
        return folder.relative_to(self.root).as_posix()

    def _branch_versions(self, worktrees: list[Worktree]) -> dict[str, set[str]]:
        """Migration identities on each local branch that has no worktree, read through git."""
        checked_out = {w.branch for w in worktrees}
        relative = self.migrations_folder()
        return {
            branch: versions_in(self.git.files_at(branch, relative))
            for branch in self.git.local_branches()
            if branch not in checked_out
        }

    def drift(self, snapshot: RepoSnapshot | None = None) -> DriftReport:
        """The cross-branch report (F32, F34). Blocking: git and the database are read."""
        from wttui.drift.branches import drift_report  # pglast: only when asked for

        return drift_report(self, snapshot or self.snapshot())

    def view(self, ref: str) -> WorktreeView:
        """The read model of one worktree (used by the CLI after an action)."""
        worktree = self.resolve(ref)
        for view in self.snapshot().views:
            if view.worktree.path == worktree.path:
                return view
        raise InvalidInput(f"No worktree for {ref!r}")

    def _view(
        self,
        worktree: Worktree,
        target: DbTarget | None,
        databases: dict[TargetKey, DatabaseInfo],
        server_error: str | None,
    ) -> WorktreeView:
        env = self._env_state(worktree, target)
        if target is None or server_error is not None:
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
                runner = self.migration_tool(worktree.path)
                tool = runner.name
                migrations = runner.status(target.connect_url)
            except WttuiError as exc:
                errors = (str(exc),)
        return WorktreeView(
            worktree, target, DbStatus.PRESENT, info, migrations, env=env, errors=errors, tool=tool
        )

    def _env_state(self, worktree: Worktree, target: DbTarget | None) -> EnvState:
        path = self.env_path(worktree.path)
        error = None
        try:
            values = read_env(path)
        except WttuiError as exc:  # one unreadable .env never hides the other worktrees
            values, error = {}, exc.message
        current = values.get(self.config.env.url_key)
        matches = False
        if target is not None:
            wanted = self.env_values(target, worktree.label)
            matches = all(values.get(key) == value for key, value in wanted.items())
        return EnvState(
            path=path, exists=path.exists(), database_url=current, matches=matches, error=error
        )

    # -- plans shown before actions ----------------------------------------------------------

    def plan_create(self, branch: str, base: str | None = None) -> CreatePlan:
        """Validate a create request and say what it will do, changing nothing.

        Raises:
            InvalidInput: invalid branch name, or the branch already has a worktree.
        """
        check_branch_name(branch)
        existing = self.git.find_worktree(branch)
        if existing is not None and existing.branch == branch:
            raise InvalidInput(f"Branch {branch} already has a worktree at {existing.path}")
        path = self.worktree_path_for(branch)
        if problem := config_module.worktrees_dir_problem(path):
            raise InvalidInput(f"Cannot make a worktree at {path}: {problem}")
        target = self.strategy_for(branch).plan(branch)
        if target.schema is not None:
            check_schema_name(target.schema)
        check_values(self.env_values(target, branch))  # refused before anything is made
        return CreatePlan(
            branch=branch,
            base=base,
            path=path,
            existing_branch=self.git.branch_exists(branch),
            target=target,
            env_file=self.env_path(path),
        )

    def plan_remove(self, ref: str, *, keep_db: bool = False) -> RemovePlan:
        """Say what removing a worktree will do to its database."""
        worktree = self.resolve(ref)
        target = self.target(worktree)
        sharing = self.sharing(worktree, target)
        info = self.strategy_for(worktree.branch).info(target)
        return RemovePlan(
            worktree=worktree,
            target=target,
            database_exists=info is not None,
            shared_with=sharing,
            sessions=info.connections if info else 0,
            will_drop=info is not None
            and not sharing
            and not target.shared
            and not keep_db
            and not (target.schema is not None and is_reserved_schema(target.schema)),
        )

    def sharing(self, worktree: Worktree, target: DbTarget) -> tuple[str, ...]:
        """Other worktrees whose database is `target` (by plan or by their env file's URL)."""
        others = []
        for other in self.git.list_worktrees():
            if other.path == worktree.path:
                continue
            url = read_env(self.env_path(other.path)).get(self.config.env.url_key)
            if shares(target, self.target(other), url, location):
                others.append(other.label)
        return tuple(others)
