"""The shape of wttui's configuration: every section, key and default (`config.py` loads and
validates files into it). Section classes are frozen; `Config` is what the rest of wttui reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from wttui.config_files import CONFIG_FILE as CONFIG_FILE  # where the config is
from wttui.strategies.registry import names as strategy_names

STRATEGIES = strategy_names()
"""Isolation strategies: a database, a schema or a Docker container per worktree, or shared."""
PER_WORKTREE_NAME = "{project}_{worktree}"
ONE_DATABASE_NAME = "{project}"
DEFAULT_REFUSED_COMMANDS = (
    "prisma migrate reset",
    "prisma db push --force-reset",
    "dropdb",
    "rails db:drop",
    "rails db:reset",
    "rake db:drop",
    "rake db:reset",
)
"""Commands the shared-database seed names as never to run against a shared database."""


LINTERS = ("squawk", "off")
DEFAULT_LINT_EXCLUDE = (
    "prefer-robust-stmts",
    "prefer-bigint-over-int",
    "prefer-bigint-over-smallint",
    "prefer-identity",
    "prefer-text-field",
    "prefer-timestamp-tz",
    "ban-char-field",
    "require-timeout-settings",
    "require-statement-timeout",
    "require-lock-timeout",
)
"""squawk rules about style, types and re-running a failed file, not about locks: left out by
default so a finding means "this blocks an existing table"."""


@dataclass(frozen=True)
class ProjectConfig:
    name: str = ""
    """Project name used in database names; defaults to the repository directory's name. A
    plain name: no `/`, `\\` or `..` (it also names the worktrees folder)."""
    worktrees_dir: str = "../{project}-worktrees"
    """Where new worktrees go, relative to the main worktree; `{project}` is substituted."""


@dataclass(frozen=True)
class DatabaseConfig:
    strategy: str = "database"
    """How worktrees are isolated: `database` gives each its own database on one server."""
    url: str = ""
    """Admin URL of an existing server (`postgresql://user:pass@host:5432/postgres`).
    Empty: wttui runs its own embedded cluster in the data directory."""
    name: str = ""
    """Database name template; fields `{project}`, `{worktree}` and `{branch}` (both the branch
    as an injective name: `feat/x` → `feat__x`, `Feat/X` → `feat__x___<hash>`).
    Empty: `{project}_{worktree}` for the database strategy, `{project}` for schema and shared
    (one database for every worktree)."""
    schema: str = "{worktree}"
    """Schema name template for the schema strategy (same fields)."""
    template: str = ""
    """Create new databases as a copy of this database (`CREATE DATABASE … TEMPLATE`)."""
    refuse: tuple[str, ...] = DEFAULT_REFUSED_COMMANDS
    """Commands `wttui exec` refuses to run against a shared database, because they drop or
    wipe it for every worktree: the program (seen through `env`, `sudo`, package runners and
    `sh -c` strings) is the first word and the other words are among its arguments."""
    template_cache: bool = True
    """Keep a migrated template database per migration set and create new worktrees' databases
    as a clone of the nearest one plus the missing migrations (database strategy)."""
    clone_method: str = "auto"
    """How a database is copied on one server: `auto` (measured rule: PostgreSQL 18's reflink
    `clone` where it works, `file_copy` for large databases, `wal_log` for small ones),
    `wal_log`, `file_copy`, `clone`, or `dump` (pg_dump | pg_restore, always used across
    servers)."""

    def name_for(self, strategy: str) -> str:
        """The name template in force for `strategy`: the configured one where it suits the
        strategy (per worktree for `database`, one for all otherwise), else the default."""
        per_worktree = strategy == "database"
        if self.name and is_per_worktree(self.name) == per_worktree:
            return self.name
        return PER_WORKTREE_NAME if per_worktree else ONE_DATABASE_NAME


def is_per_worktree(template: str) -> bool:
    return "{worktree}" in template or "{branch}" in template


@dataclass(frozen=True)
class MigrationsConfig:
    tool: str = "auto"
    """Migration tool: `auto` (detected per worktree), `sql` (wttui's built-in runner for a
    folder of `.sql` files), or a tool's name (`prisma`, `dbmate`, `alembic`, …, or a third
    party's adapter): `migrations.registry` knows the names and refuses an unknown one."""
    dir: str = ""
    """Migration folder, relative to each worktree's root; empty: the tool's convention
    (`migrations` for the SQL runner, `prisma/migrations`, `db/migrations`, …)."""
    apply: str = ""
    """Command that applies pending migrations; empty: the tool's own default."""
    rollback: str = ""
    """Command that rolls back one migration; empty: the tool's own default."""
    name_pattern: str = ""
    """Names that break this regular expression (over the name as the tool writes it:
    `20251016231054_add_users`, Drizzle's `0003_bright_lady`, Flyway's `V2__add_users`) are
    warned about by `wttui drift`; empty: each tool's own convention (the seed's
    `YYYYMMDDHHmmss_descriptive_name` where the tool names migrations by a timestamp)."""
    vague_names: tuple[str, ...] = (
        "update",
        "changes",
        "change",
        "fix",
        "migration",
        "temp",
        "wip",
    )
    """Names made only of these words are warned about: they say nothing about the change."""
    table: str = "wttui_schema_migrations"
    """Tracking table of the built-in runner."""
    lint: str = "squawk"
    """Lock-safety lint of pending SQL migrations: `squawk` (when its binary is installed:
    `pip install 'wttui[lint]'`) or `off`."""
    lint_exclude: tuple[str, ...] = DEFAULT_LINT_EXCLUDE
    """squawk rules left out. The default leaves out rules about style and re-runnability,
    keeping those about locks and rewrites on existing tables; setting it replaces the list."""


@dataclass(frozen=True)
class EnvConfig:
    file: str = ".env"
    """Env file written in each worktree, relative to its root."""
    url_key: str = "DATABASE_URL"
    """Key that receives the worktree's database URL (a variable name: `[A-Za-z_][A-Za-z0-9_]*`)."""
    keys: Mapping[str, str] = field(default_factory=dict)
    """Extra keys and their templates: `{url}`, `{database}`, `{host}`, `{port}`, `{user}`,
    `{password}`, `{project}`, `{worktree}`, `{branch}`, `{schema}`, and `{libpq_url}` /
    `{pgoptions}` (the URL libpq clients accept, and `-c search_path=…` for the schema
    strategy, whose `{url}` is Prisma's `?schema=` form)."""
    template: str = ""
    """A file in each worktree (`.env.template`) the whole env file is rendered from, with the
    same fields as `keys`; lines below wttui's marker in the env file are the user's and kept.
    Empty: only the managed keys are set in the env file, every other line kept."""


@dataclass(frozen=True)
class ContainerConfig:
    """`[container]`: the container strategy's PostgreSQL containers."""

    image: str = "postgres:16"
    """Image to run; it must be on the engine already (wttui never pulls)."""
    user: str = "postgres"
    """POSTGRES_USER."""
    password: str = ""
    """POSTGRES_PASSWORD; empty: a random one per container, kept on the container."""
    ports: str = "5433-5532"
    """Host ports to publish on 127.0.0.1; each worktree prefers a stable one in the range."""
    ready_timeout: int = 60
    """Seconds to wait for a new container to accept connections."""
    keep_volume: bool = False
    """Cleanup policy: removing a worktree (or its database) removes its container; with this,
    the data volume stays, and a later create of the same branch starts on the old data."""


@dataclass(frozen=True)
class SnapshotsConfig:
    """`[snapshots]`: copies of a worktree's database to go back to."""

    before_destructive: bool = True
    """Take a snapshot before every reset, rebuild and restore."""
    keep: int = 5
    """Snapshots kept per worktree; the oldest beyond it are deleted after a new one."""
    method: str = "auto"
    """`template` (a template database on the same server: fastest), `dump` (`pg_dump -Fc`
    into the data directory), or `auto` (template for the database strategy, dump otherwise)."""


@dataclass(frozen=True)
class CleanupConfig:
    """`[cleanup]`: what happens to dropped databases."""

    trash_days: int = 7
    """Dropped databases, schemas and containers stay in the trash (`wttui undo`) this many
    days, then the next drop or `wttui trash purge` removes them; 0: drops are immediate."""


@dataclass(frozen=True)
class SeedsConfig:
    """`[seeds]`: data loaded after migrations on create and by `wttui seed`."""

    files: tuple[str, ...] = ()
    """SQL files relative to the worktree, in order; `{worktree}`/`{branch}` as in the name
    template; missing files are skipped. Each runs in its own transaction."""
    command: str = ""
    """A command run in the worktree with its database env after the files (`npm run db:seed`)."""
    in_template: bool = False
    """Seeded data becomes part of the template cache's templates (new databases start seeded)."""


CLONE_METHODS = ("auto", "wal_log", "file_copy", "clone", "dump")
SNAPSHOT_METHODS = ("auto", "template", "dump")


@dataclass(frozen=True)
class WorktreeConfig:
    """`[worktrees."feat/x"]`: settings for one branch's worktree."""

    strategy: str = ""
    """Override of `[database] strategy` for this worktree (e.g. `shared` for a hotfix, `none`
    for no database at all)."""
    port: int = 0
    """The host port this worktree's container is published on (container strategy), e.g.
    5432 for the worktree you work in; 0: a stable port from `[container] ports`. A pinned
    port that is taken is an error naming who holds it, never a silent move."""


@dataclass(frozen=True)
class Config:
    project: ProjectConfig = field(default_factory=ProjectConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    migrations: MigrationsConfig = field(default_factory=MigrationsConfig)
    env: EnvConfig = field(default_factory=EnvConfig)
    container: ContainerConfig = field(default_factory=ContainerConfig)
    snapshots: SnapshotsConfig = field(default_factory=SnapshotsConfig)
    cleanup: CleanupConfig = field(default_factory=CleanupConfig)
    seeds: SeedsConfig = field(default_factory=SeedsConfig)
    worktrees: Mapping[str, WorktreeConfig] = field(default_factory=dict)
    """Per-branch overrides, keyed by branch name."""
    source: Path | None = None
    """The file this came from (None: defaults only)."""

    def project_name(self, root: Path) -> str:
        """The configured project name, or the main worktree directory's name."""
        return self.project.name or root.name

    def pinned_ports(self) -> dict[str, int]:
        """Branch → the port pinned for its container (`[worktrees."main"] port = 5432`)."""
        return {branch: wt.port for branch, wt in self.worktrees.items() if wt.port}

    def strategy_for(self, branch: str | None) -> str:
        """The isolation strategy of the worktree on `branch`: its override, else the project's."""
        override = self.worktrees.get(branch or "")
        return override.strategy if override and override.strategy else self.database.strategy

    def worktrees_path(self, root: Path) -> Path:
        """Absolute directory for new worktrees."""
        rel = self.project.worktrees_dir.format(project=self.project_name(root))
        return (root / rel).resolve()
