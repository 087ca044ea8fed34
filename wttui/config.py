"""Configuration: `.wttui.toml` or `[tool.wttui]` in pyproject.toml, validated once, frozen.

Who reads what:

| section        | read by                                   |
|----------------|-------------------------------------------|
| `[project]`    | services (name), actions.create (location) |
| `[database]`   | strategies (name template, server URL)    |
| `[migrations]` | migrations (folder, tracking table)       |
| `[env]`        | providers.envfile via actions             |

Files are found in the main worktree's root: `.wttui.toml` wins over `pyproject.toml`'s
`[tool.wttui]`; `WTTUI_CONFIG` names a file explicitly. A per-user file in the XDG config
directory (`~/.config/wttui/config.toml`) is read first and overridden key by key by the
repository's file. Everything has a default, so no file at all works. Unknown sections or keys
and wrong types are rejected with the file, the key and the reason, before anything runs.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from wttui.core.naming import check_template
from wttui.core.ports import port_range
from wttui.errors import ConfigError, InvalidInput

CONFIG_FILE = ".wttui.toml"
STRATEGIES = ("database", "schema", "shared", "container")
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
MIGRATION_TOOLS = (
    "auto",
    "sql",
    "prisma",
    "dbmate",
    "golang-migrate",
    "goose",
    "flyway",
    "knex",
    "node-pg-migrate",
    "drizzle",
    "alembic",
    "django",
    "rails",
    "sqitch",
)
"""`auto` detects the tool from each worktree's files (wttui's SQL runner when none matches)."""


@dataclass(frozen=True)
class ProjectConfig:
    name: str = ""
    """Project name used in database names; defaults to the repository directory's name."""
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
    """Database name template; fields `{project}`, `{worktree}` (sanitised branch), `{branch}`.
    Empty: `{project}_{worktree}` for the database strategy, `{project}` for schema and shared
    (one database for every worktree)."""
    schema: str = "{worktree}"
    """Schema name template for the schema strategy (same fields)."""
    template: str = ""
    """Create new databases as a copy of this database (`CREATE DATABASE … TEMPLATE`)."""
    refuse: tuple[str, ...] = DEFAULT_REFUSED_COMMANDS
    """Commands `wttui exec` refuses to run against a shared database (prefix match on the
    words), because they drop or wipe it for every worktree."""

    def name_for(self, strategy: str) -> str:
        """The name template in force for `strategy`: the configured one where it suits the
        strategy (per worktree for `database`, one for all otherwise), else the default."""
        per_worktree = strategy == "database"
        if self.name and _is_per_worktree(self.name) == per_worktree:
            return self.name
        return PER_WORKTREE_NAME if per_worktree else ONE_DATABASE_NAME


def _is_per_worktree(template: str) -> bool:
    return "{worktree}" in template or "{branch}" in template


@dataclass(frozen=True)
class MigrationsConfig:
    tool: str = "auto"
    """Migration tool: `auto` (detected per worktree), `sql` (wttui's built-in runner for a
    folder of `.sql` files), or a tool's name (`prisma`, `dbmate`, `alembic`, …)."""
    dir: str = ""
    """Migration folder, relative to each worktree's root; empty: the tool's convention
    (`migrations` for the SQL runner, `prisma/migrations`, `db/migrations`, …)."""
    apply: str = ""
    """Command that applies pending migrations; empty: the tool's own default."""
    rollback: str = ""
    """Command that rolls back one migration; empty: the tool's own default."""
    name_pattern: str = r"^\d{14}_[a-z0-9]+(_[a-z0-9]+)*$"
    """Names that break this regular expression (over `VERSION_name`) are warned about; the
    default is the seed's `YYYYMMDDHHmmss_descriptive_name`."""
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


@dataclass(frozen=True)
class EnvConfig:
    file: str = ".env"
    """Env file written in each worktree, relative to its root."""
    url_key: str = "DATABASE_URL"
    """Key that receives the worktree's database URL."""
    keys: Mapping[str, str] = field(default_factory=dict)
    """Extra keys and their templates: `{url}`, `{database}`, `{host}`, `{port}`, `{user}`,
    `{password}`, `{project}`, `{worktree}`, `{branch}`."""


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
class WorktreeConfig:
    """`[worktrees."feat/x"]`: settings for one branch's worktree."""

    strategy: str = ""
    """Override of `[database] strategy` for this worktree (e.g. `shared` for a hotfix)."""


@dataclass(frozen=True)
class Config:
    project: ProjectConfig = field(default_factory=ProjectConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    migrations: MigrationsConfig = field(default_factory=MigrationsConfig)
    env: EnvConfig = field(default_factory=EnvConfig)
    container: ContainerConfig = field(default_factory=ContainerConfig)
    worktrees: Mapping[str, WorktreeConfig] = field(default_factory=dict)
    """Per-branch overrides, keyed by branch name."""
    source: Path | None = None
    """The file this came from (None: defaults only)."""

    def project_name(self, root: Path) -> str:
        """The configured project name, or the main worktree directory's name."""
        return self.project.name or root.name

    def strategy_for(self, branch: str | None) -> str:
        """The isolation strategy of the worktree on `branch`: its override, else the project's."""
        override = self.worktrees.get(branch or "")
        return override.strategy if override and override.strategy else self.database.strategy

    def worktrees_path(self, root: Path) -> Path:
        """Absolute directory for new worktrees."""
        rel = self.project.worktrees_dir.format(project=self.project_name(root))
        return (root / rel).resolve()


_SECTIONS: dict[str, type] = {
    "project": ProjectConfig,
    "database": DatabaseConfig,
    "migrations": MigrationsConfig,
    "env": EnvConfig,
    "container": ContainerConfig,
}
_LISTS = frozenset({"refuse", "vague_names"})
_INTS = frozenset({"ready_timeout"})
_BOOLS = frozenset({"keep_volume"})
_ENV_KEY_FIELDS = frozenset(
    {
        "url",
        "database",
        "schema",
        "host",
        "port",
        "user",
        "password",
        "project",
        "worktree",
        "branch",
    }
)


def _fail(source: Path | None, key: str, reason: str) -> ConfigError:
    where = str(source) if source else "configuration"
    return ConfigError(f"{where}: {key}: {reason}")


def _section(source: Path | None, name: str, raw: object) -> Any:
    cls = _SECTIONS[name]
    if not isinstance(raw, dict):
        raise _fail(source, name, "must be a table ([" + name + "])")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, object] = {}
    for key, value in raw.items():
        dotted = f"{name}.{key}"
        if key not in known:
            raise _fail(source, dotted, f"unknown key (known: {', '.join(sorted(known))})")
        if key == "keys":
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise _fail(source, dotted, "must be a table of string templates")
            values[key] = dict(value)
        elif key in _LISTS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _fail(source, dotted, "must be a list of strings")
            values[key] = tuple(value)
        elif key in _BOOLS:
            if not isinstance(value, bool):
                raise _fail(source, dotted, "must be true or false")
            values[key] = value
        elif key in _INTS:
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise _fail(source, dotted, "must be a positive whole number")
            values[key] = value
        elif not isinstance(value, str):
            raise _fail(source, dotted, f"must be a string, not {type(value).__name__}")
        else:
            values[key] = value
    return cls(**values)


def _worktrees(source: Path | None, raw: object) -> dict[str, WorktreeConfig]:
    if not isinstance(raw, dict):
        raise _fail(source, "worktrees", 'must be a table of branches ([worktrees."feat/x"])')
    known = {f.name for f in fields(WorktreeConfig)}
    result = {}
    for branch, table in raw.items():
        where = f'worktrees."{branch}"'
        if not isinstance(table, dict):
            raise _fail(source, where, "must be a table")
        for key, value in table.items():
            if key not in known:
                raise _fail(source, f"{where}.{key}", f"unknown key (known: {', '.join(known)})")
            if not isinstance(value, str):
                raise _fail(source, f"{where}.{key}", "must be a string")
        result[str(branch)] = WorktreeConfig(**table)
    return result


def _check_strategy(src: Path | None, key: str, strategy: str) -> None:
    if strategy not in STRATEGIES:
        raise _fail(src, key, f"{strategy!r} is not supported (supported: {', '.join(STRATEGIES)})")


def _check_name(src: Path | None, database: DatabaseConfig) -> None:
    """A configured name must suit the project's strategy (overrides fall back to defaults)."""
    strategy = database.strategy
    if not database.name or database.name_for(strategy) == database.name:
        return
    if strategy == "database":
        reason = (
            "must contain {worktree} or {branch} with the `database` strategy "
            "(every worktree gets its own database)"
        )
    else:
        reason = (
            f"must not contain {{worktree}} or {{branch}} with the `{strategy}` strategy "
            "(its worktrees use one database)"
        )
    raise _fail(src, "database.name", reason)


def _validate(config: Config) -> None:
    src = config.source
    _check_strategy(src, "database.strategy", config.database.strategy)
    for branch, override in config.worktrees.items():
        if override.strategy:
            _check_strategy(src, f'worktrees."{branch}".strategy', override.strategy)
    try:
        check_template(config.database.schema)
    except InvalidInput as exc:
        raise _fail(src, "database.schema", exc.message) from None
    if not _is_per_worktree(config.database.schema):
        raise _fail(src, "database.schema", "must contain {worktree} or {branch}")
    if config.migrations.tool not in MIGRATION_TOOLS:
        raise _fail(
            src,
            "migrations.tool",
            f"{config.migrations.tool!r} is not supported "
            f"(supported: {', '.join(MIGRATION_TOOLS)})",
        )
    try:
        check_template(config.database.name)
    except InvalidInput as exc:
        raise _fail(src, "database.name", exc.message) from None
    _check_name(src, config.database)
    try:
        re.compile(config.migrations.name_pattern)
    except re.error as exc:
        raise _fail(src, "migrations.name_pattern", f"not a regular expression: {exc}") from None
    try:
        port_range(config.container.ports)
    except InvalidInput as exc:
        raise _fail(src, "container.ports", exc.message) from None
    url = config.database.url
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise _fail(src, "database.url", "must start with postgresql://")
    for key, template in config.env.keys.items():
        if not key.replace("_", "").isalnum():
            raise _fail(src, f"env.keys.{key}", "is not a valid environment variable name")
        for part in _template_fields(template):
            if part not in _ENV_KEY_FIELDS:
                raise _fail(
                    src,
                    f"env.keys.{key}",
                    f"unknown field {{{part}}} (known: {', '.join(sorted(_ENV_KEY_FIELDS))})",
                )
    paths = (("migrations.dir", config.migrations.dir or "."), ("env.file", config.env.file))
    for key, value in paths:
        if not value or Path(value).is_absolute() or ".." in Path(value).parts:
            raise _fail(src, key, "must be a relative path inside the worktree")


def _template_fields(template: str) -> list[str]:
    import string

    return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def from_mapping(data: Mapping[str, Any], source: Path | None = None) -> Config:
    """Validate a parsed TOML table into a `Config`.

    Raises:
        ConfigError: naming the file, the dotted key and the reason.
    """
    sections: dict[str, Any] = {}
    for name, raw in data.items():
        if name == "worktrees":
            sections[name] = _worktrees(source, raw)
            continue
        if name not in _SECTIONS:
            raise _fail(source, name, f"unknown section (known: {', '.join(_SECTIONS)})")
        sections[name] = _section(source, name, raw)
    config = Config(**sections, source=source)
    _validate(config)
    return config


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def user_config_path() -> Path:
    """The per-user file (`$XDG_CONFIG_HOME/wttui/config.toml`)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("wttui")) / "config.toml"


def find_config(root: Path) -> tuple[Path | None, dict[str, Any]]:
    """The repository's config file and its `wttui` table (empty when there is none)."""
    explicit = os.environ.get("WTTUI_CONFIG")
    if explicit:
        path = Path(explicit)
        return path, _read_toml(path)
    dotfile = root / CONFIG_FILE
    if dotfile.is_file():
        return dotfile, _read_toml(dotfile)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        tool = _read_toml(pyproject).get("tool", {})
        if isinstance(tool, dict) and "wttui" in tool:
            return pyproject, tool["wttui"]
    return None, {}


def load(root: Path) -> Config:
    """Load and validate the configuration for the repository whose main worktree is `root`.

    Raises:
        ConfigError: a file is malformed, or has an unknown key or a bad value.
    """
    user_path = user_config_path()
    user_data = _read_toml(user_path) if user_path.is_file() else {}
    if user_data:
        from_mapping(user_data, user_path)  # report errors against the file that has them
    path, data = find_config(root)
    return from_mapping(_merge(user_data, data), path or (user_path if user_data else None))
