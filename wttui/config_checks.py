"""The rules a configuration must keep beyond its keys' types (`config.from_mapping` checks
those): strategies that exist, name and schema templates that suit the strategy, variable
names and `{fields}` the env keys may use, paths that stay inside the worktree, ports pinned
once, a URL that parses, commands that split into words. Each broken rule is one
`ConfigError` naming the file, the key and the reason.
"""

from __future__ import annotations

import re
import shlex
import string
from pathlib import Path

from wttui.config_model import (
    CLONE_METHODS,
    LINTERS,
    SNAPSHOT_METHODS,
    STRATEGIES,
    Config,
    DatabaseConfig,
    EnvConfig,
    MigrationsConfig,
    ProjectConfig,
    is_per_worktree,
)
from wttui.core.naming import check_template
from wttui.core.ports import port_range
from wttui.core.urls import url_problem
from wttui.errors import ConfigError, InvalidInput

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
        "libpq_url",
        "pgoptions",
    }
)


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""A name every shell and dotenv loader takes as a variable name."""


def fail(source: Path | None, key: str, reason: str) -> ConfigError:
    """The one-line error for `key` of the file `source` (no value quoted: it may hold a
    password)."""
    where = str(source) if source else "configuration"
    return ConfigError(f"{where}: {key}: {reason}")


def _check_strategy(src: Path | None, key: str, strategy: str) -> None:
    if strategy not in STRATEGIES:
        raise fail(src, key, f"{strategy!r} is not supported (supported: {', '.join(STRATEGIES)})")


def _check_name(src: Path | None, database: DatabaseConfig) -> None:
    """A configured name must suit the project's strategy (overrides fall back to defaults)."""
    strategy = database.strategy
    if strategy == "none" or not database.name or database.name_for(strategy) == database.name:
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
    raise fail(src, "database.name", reason)


def _check_template(src: Path | None, key: str, template: str) -> None:
    try:
        check_template(template)
    except InvalidInput as exc:
        raise fail(src, key, exc.message) from None


def _template_fields(src: Path | None, key: str, template: str) -> list[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        reason = f"malformed template ({exc}; write a literal brace as {{{{ or }}}})"
        raise fail(src, key, reason) from None
    return [f for _, f, _, _ in parsed if f is not None]


def _check_project(src: Path | None, project: ProjectConfig) -> None:
    name = project.name
    if name and ("/" in name or "\\" in name or ".." in name or any(ord(ch) < 0x20 for ch in name)):
        raise fail(
            src, "project.name", "must be a plain name without '/', '\\' or '..' (it names folders)"
        )
    for part in _template_fields(src, "project.worktrees_dir", project.worktrees_dir):
        if part != "project":
            raise fail(src, "project.worktrees_dir", f"unknown field {{{part}}} (known: project)")


def _check_commands(src: Path | None, migrations: MigrationsConfig) -> None:
    for key, command in (("apply", migrations.apply), ("rollback", migrations.rollback)):
        try:
            shlex.split(command)
        except ValueError as exc:
            raise fail(src, f"migrations.{key}", f"not a valid command line: {exc}") from None


def _check_env(src: Path | None, env: EnvConfig) -> None:
    if not _ENV_NAME.fullmatch(env.url_key):
        raise fail(
            src, "env.url_key", f"{env.url_key!r} is not a variable name ([A-Za-z_][A-Za-z0-9_]*)"
        )
    for key, template in env.keys.items():
        if not _ENV_NAME.fullmatch(key):
            raise fail(src, f"env.keys.{key!r}", "is not a valid environment variable name")
        for part in _template_fields(src, f"env.keys.{key}", template):
            if part not in _ENV_KEY_FIELDS:
                raise fail(
                    src,
                    f"env.keys.{key}",
                    f"unknown field {{{part}}} (known: {', '.join(sorted(_ENV_KEY_FIELDS))})",
                )
    if env.template and Path(env.template) == Path(env.file):
        raise fail(src, "env.template", "must be another file than [env] file (it is read)")


def validate(config: Config) -> None:
    """Every rule a parsed configuration must keep, beyond its keys' types.

    Raises:
        ConfigError: the first rule broken, with the file, the key and the reason.
    """
    src = config.source
    _check_project(src, config.project)
    _check_strategy(src, "database.strategy", config.database.strategy)
    pinned: dict[int, str] = {}
    for branch, override in config.worktrees.items():
        if override.strategy:
            _check_strategy(src, f'worktrees."{branch}".strategy', override.strategy)
        if override.port in pinned:
            raise fail(
                src,
                f'worktrees."{branch}".port',
                f"{override.port} is already pinned for {pinned[override.port]}",
            )
        if override.port:
            pinned[override.port] = branch
    _check_template(src, "database.schema", config.database.schema)
    if not is_per_worktree(config.database.schema):
        raise fail(src, "database.schema", "must contain {worktree} or {branch}")
    _check_template(src, "database.name", config.database.name)
    _check_name(src, config.database)
    if any(not rule.split() for rule in config.database.refuse):
        raise fail(src, "database.refuse", "every rule needs at least one word")
    try:
        re.compile(config.migrations.name_pattern)
    except re.error as exc:
        raise fail(src, "migrations.name_pattern", f"not a regular expression: {exc}") from None
    if config.migrations.lint not in LINTERS:
        raise fail(
            src, "migrations.lint", f"{config.migrations.lint!r} is not one of {', '.join(LINTERS)}"
        )
    _check_commands(src, config.migrations)
    try:
        port_range(config.container.ports)
    except InvalidInput as exc:
        raise fail(src, "container.ports", exc.message) from None
    url = config.database.url
    if url and (problem := url_problem(url)):
        raise fail(src, "database.url", problem)  # never the URL itself: it has a password
    _check_env(src, config.env)
    _validate_lifecycle(config)
    paths = (
        ("migrations.dir", config.migrations.dir or "."),
        ("env.file", config.env.file),
        ("env.template", config.env.template or "."),
    )
    for key, value in paths:
        if not value or Path(value).is_absolute() or ".." in Path(value).parts:
            raise fail(src, key, "must be a relative path inside the worktree")
    if not Path(config.env.file).parts:
        raise fail(src, "env.file", "must name a file inside the worktree")


def _validate_lifecycle(config: Config) -> None:
    """`[database] clone_method`, `[snapshots] method` and `[seeds] files`."""
    src = config.source
    if config.database.clone_method not in CLONE_METHODS:
        raise fail(src, "database.clone_method", f"must be one of {', '.join(CLONE_METHODS)}")
    if config.snapshots.method not in SNAPSHOT_METHODS:
        raise fail(src, "snapshots.method", f"must be one of {', '.join(SNAPSHOT_METHODS)}")
    for file in config.seeds.files:
        if not file or Path(file).is_absolute() or ".." in Path(file).parts:
            raise fail(src, "seeds.files", f"{file!r} must be a relative path inside the worktree")
        try:
            check_template(file)
        except InvalidInput as exc:
            raise fail(src, "seeds.files", exc.message) from None
