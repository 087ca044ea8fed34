"""The composition root: the one place providers, strategies and migration tools are built.

`Services.from_path` discovers the repository, loads the config and wires git, the server and
the strategies together. Everything an action or a refresh needs about one worktree is looked up
once into a `WorktreeContext` (worktree, strategy, database target, env file and values, and its
migration tool on first use) and passed down: no layer re-resolves a worktree from a string.
The env files (managed keys, templates, planning and writing them) are `services.env`
(`env_files.EnvFiles`).

Read models live in `snapshot.py`, plans (every rule) in `plans*.py`. Nothing here imports Textual.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from wttui import config as config_module
from wttui.config import Config, WorktreeConfig
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DbTarget, Worktree
from wttui.core.naming import worktree_dirname
from wttui.env_files import EnvFiles
from wttui.errors import ConfigError, InvalidInput
from wttui.providers.git import GitProvider
from wttui.providers.git_porcelain import WorktreeEntry
from wttui.providers.server import Server
from wttui.strategies import registry as strategies

if TYPE_CHECKING:
    from wttui.lifecycle import Lifecycle
    from wttui.migrations.adapter import ApplyContext
    from wttui.migrations.runner import Runner
    from wttui.strategies.base import Strategy
    from wttui.strategies.container import ContainerStrategy


@dataclass(frozen=True)
class WorktreeContext:
    """One worktree with everything wttui derives from it, looked up once per action or refresh."""

    worktree: Worktree
    strategy: Strategy
    target: DbTarget
    env_file: Path
    env_values: Mapping[str, str] = field(repr=False)
    """Every env key wttui manages for the worktree, rendered (holds a password)."""
    _tool: Callable[[], Runner] = field(repr=False, compare=False)

    @cached_property
    def tool(self) -> Runner:
        """The worktree's migration tool (configured, or detected from its files; cached)."""
        return self._tool()

    @property
    def label(self) -> str:
        return self.worktree.label

    def apply_context(self) -> ApplyContext:
        """Who applies: recorded with each migration so a shared database can name its owner."""
        from wttui.migrations.adapter import ApplyContext

        worktree = self.worktree
        return ApplyContext(
            worktree=worktree.label,
            branch=worktree.branch,
            commit=worktree.head,
            path=worktree.path,
            env=dict(self.env_values),
        )


class Services:
    """Providers and strategies for one repository."""

    def __init__(self, config: Config, git: GitProvider, server: Server) -> None:
        self.config = config
        self.git = git
        self.server = server
        self.root = git.root
        self.project = config.project_name(self.root)
        self._strategies: dict[str, Strategy] = {}
        self.env = EnvFiles(config.env, self.project, git)
        """The worktrees' env files: managed keys, templates, planning and writing them."""
        git.own_files = frozenset({config.env.file})  # never counted as uncommitted changes

    @classmethod
    def from_path(cls, start: Path, *, server: Server | None = None) -> Services:
        """Discover the repository containing `start` and build everything for it.

        Raises:
            GitError: `start` is not inside a git repository.
            ConfigError: the config file is malformed.
        """
        git = GitProvider.discover(start)
        config = recorded_strategies(config_module.load(git.root), git.root)
        return cls(config, git, server or Server(config.database.url))

    # -- strategies --------------------------------------------------------------------------

    def strategy(self, name: str) -> Strategy:
        """The strategy called `name`, made on first use."""
        if name not in self._strategies:
            factory = strategies.load(name)
            self._strategies[name] = factory.from_config(
                config=self.config, server=self.server, project=self.project
            )
        return self._strategies[name]

    def strategy_for(self, branch: str | None) -> Strategy:
        """The strategy of the worktree on `branch` (its `[worktrees."…"]` override or the
        project's)."""
        return self.strategy(self.config.strategy_for(branch))

    def record_strategy(self, branch: str, strategy: str) -> None:
        """Remember `strategy` for `branch` in the repository's git config (`wttui create
        --no-db`), and use it from now on."""
        from wttui.providers.git_config import record_strategy

        record_strategy(self.root, branch, strategy)
        self.config = _with_strategy(self.config, branch, strategy)

    @property
    def server_label(self) -> str:
        """Where the project's databases live: the server, or the Docker engine."""
        if self.config.database.strategy == "container":
            return f"Docker at {os.environ.get('DOCKER_HOST') or 'the local engine'}"
        return self.server.label

    # -- worktrees ---------------------------------------------------------------------------

    def resolve(self, ref: str, entries: list[WorktreeEntry] | None = None) -> Worktree:
        """The worktree named by a branch, a path or a directory name (one `git worktree list`,
        none when `entries` are given).

        Raises:
            InvalidInput: no worktree matches.
        """
        entry = self.git.find_entry(ref, self.git.entries() if entries is None else entries)
        if entry is None:
            raise InvalidInput(f"No worktree for {ref!r}", hint="`wttui status` lists them")
        return self.git.read(entry)

    def worktree_path_for(self, branch: str) -> Path:
        """Where a new worktree for `branch` goes (`<worktrees_dir>/<slug>`)."""
        return self.config.worktrees_path(self.root) / worktree_dirname(branch)

    def env_path(self, worktree_path: Path) -> Path:
        """The worktree's env file (`services.env.path`)."""
        return self.env.path(worktree_path)

    def env_values(self, target: DbTarget, worktree_label: str) -> dict[str, str]:
        """Every env key wttui manages for a worktree (`services.env.values`)."""
        return self.env.values(target, worktree_label)

    def migration_tool(self, worktree_path: Path) -> Runner:
        """The worktree's migration tool: configured, or detected from its files."""
        from wttui.migrations.registry import runner_for  # psycopg: not before the first frame

        settings = self.config.migrations
        return runner_for(
            worktree_path,
            tool=settings.tool,
            folder=settings.dir,
            apply=settings.apply,
            rollback=settings.rollback,
            table=settings.table,
        )

    def context(
        self, worktree: Worktree, *, target: DbTarget | None = None, label: str | None = None
    ) -> WorktreeContext:
        """Everything about `worktree`, planned once. `target` and `label` are given when the
        caller already has them (a create plan, before the worktree exists)."""
        label = label or worktree.label
        if target is not None:  # planned already (a create, `--no-db`): its own strategy
            strategy = self.strategy(target.strategy)
        else:
            strategy = self.strategy_for(worktree.branch)
            target = strategy.plan(label)
        path = worktree.path
        return WorktreeContext(
            worktree=worktree,
            strategy=strategy,
            target=target,
            env_file=self.env_path(path),
            env_values=self.env.managed(path, target, label),
            _tool=lambda: self.migration_tool(path),
        )

    def context_of(self, ref: str) -> WorktreeContext:
        """`context(resolve(ref))`."""
        return self.context(self.resolve(ref))

    # -- what actions do through services ----------------------------------------------------

    def remove_volume(self, name: str) -> bool:
        """Remove the Docker volume `name` (an orphan's); False when it was already gone."""
        from wttui.providers.docker_engine import DockerProvider

        return DockerProvider().remove_volume(name)

    def write_hook(self, path: Path, text: str | None) -> None:
        """Write a git hook (executable), or remove it when `text` is None."""
        from wttui.providers.git_hooks import write

        write(path, text)

    def run_command(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        sink: LogSink,
        cancel: CancelToken,
        secrets: tuple[str, ...] = (),
        capture: bool = True,
    ) -> int:
        """Run a command with `env` on top of wttui's environment; its exit status."""
        from wttui.providers.process import stream

        return stream(
            argv,
            cwd=cwd,
            env={**os.environ, **env},
            sink=sink,
            cancel=cancel,
            secrets=secrets,
            capture=capture,
        )

    def libpq_env(self, target: DbTarget) -> AbstractContextManager[dict[str, str]]:
        """`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE` (`PGOPTIONS`) and a `PGPASSFILE` that
        exists (0600) only while the `with` block runs. None for a worktree with no database:
        the caller's own libpq variables are left as they are."""
        from wttui.providers.pgpass import libpq_env

        if target.none:
            return nullcontext({})
        return libpq_env(target.url, target.conninfo)

    @cached_property
    def lifecycle(self) -> Lifecycle:
        """Templates, snapshots, trash and seeds of this project (`wttui.lifecycle`)."""
        from wttui.lifecycle import Lifecycle
        from wttui.providers.docker_engine import DockerProvider

        return Lifecycle(
            server=self.server, project=self.project, root=self.root, docker=DockerProvider
        )

    def container_strategy(self, worktree: Worktree) -> ContainerStrategy:
        """The container strategy of `worktree` (its plan has checked it has one)."""
        from wttui.strategies.container import ContainerStrategy

        strategy = self.strategy_for(worktree.branch)
        if not isinstance(strategy, ContainerStrategy):
            raise InvalidInput(f"{worktree.label} has no container")
        return strategy


def recorded_strategies(config: Config, root: Path) -> Config:
    """`config` with the strategies recorded in the repository's git config
    (`branch.<name>.wttuiStrategy`, written by `wttui create --no-db`) on top: a choice made
    for one clone wins over the committed `.wttui.toml`.

    Raises:
        ConfigError: a recorded strategy is not one wttui knows.
    """
    from wttui.providers.git_config import STRATEGY_KEY, branch_strategies

    for branch, strategy in branch_strategies(root).items():
        if strategy not in config_module.STRATEGIES:
            raise ConfigError(
                f"git config branch.{branch}.{STRATEGY_KEY}: {strategy!r} is not supported "
                f"(supported: {', '.join(config_module.STRATEGIES)})",
                hint=f"git config --unset branch.{branch}.{STRATEGY_KEY}",
            )
        config = _with_strategy(config, branch, strategy)
    return config


def _with_strategy(config: Config, branch: str, strategy: str) -> Config:
    worktrees = dict(config.worktrees)
    worktrees[branch] = replace(worktrees.get(branch) or WorktreeConfig(), strategy=strategy)
    return replace(config, worktrees=worktrees)
