"""Configuration: `.wttui.toml` or `[tool.wttui]` in pyproject.toml, validated once, frozen.

Who reads what:

| section        | read by                                   |
|----------------|-------------------------------------------|
| `[project]`    | services (name), actions.create (location) |
| `[database]`   | strategies (name template, server URL)    |
| `[migrations]` | migrations (folder, tracking table)       |
| `[env]`        | providers.envfile via actions             |
| `[snapshots]`, `[cleanup]`, `[seeds]` | wttui.lifecycle via plans and actions |

Files are found in the main worktree's root: `.wttui.toml` wins over `pyproject.toml`'s
`[tool.wttui]`; `WTTUI_CONFIG` names a file explicitly. A per-user file in the XDG config
directory (`~/.config/wttui/config.toml`) is read first and overridden key by key by the
repository's file. Everything has a default, so no file at all works. Unknown sections or keys
and wrong types are rejected with the file, the key and the reason, before anything runs.
"""

from __future__ import annotations

import os
import re
import shlex
import string
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from wttui.config_model import (
    CLONE_METHODS,
    CONFIG_FILE,
    DEFAULT_REFUSED_COMMANDS,
    LINTERS,
    ONE_DATABASE_NAME,
    PER_WORKTREE_NAME,
    SNAPSHOT_METHODS,
    STRATEGIES,
    CleanupConfig,
    Config,
    ContainerConfig,
    DatabaseConfig,
    EnvConfig,
    MigrationsConfig,
    ProjectConfig,
    SeedsConfig,
    SnapshotsConfig,
    WorktreeConfig,
    is_per_worktree,
)
from wttui.core.naming import check_template
from wttui.core.ports import port_range
from wttui.core.urls import url_problem
from wttui.errors import ConfigError, InvalidInput

__all__ = [
    "CONFIG_FILE",
    "CleanupConfig",
    "Config",
    "ContainerConfig",
    "DEFAULT_REFUSED_COMMANDS",
    "DatabaseConfig",
    "EnvConfig",
    "MigrationsConfig",
    "ONE_DATABASE_NAME",
    "PER_WORKTREE_NAME",
    "ProjectConfig",
    "STRATEGIES",
    "SeedsConfig",
    "SnapshotsConfig",
    "WorktreeConfig",
    "from_mapping",
    "find_config",
    "load",
    "user_config_path",
    "worktrees_dir_problem",
]

_SECTIONS: dict[str, type] = {
    "project": ProjectConfig,
    "database": DatabaseConfig,
    "migrations": MigrationsConfig,
    "env": EnvConfig,
    "container": ContainerConfig,
    "snapshots": SnapshotsConfig,
    "cleanup": CleanupConfig,
    "seeds": SeedsConfig,
}
_LISTS = frozenset({"refuse", "vague_names", "lint_exclude", "files"})
_INTS = frozenset({"ready_timeout", "keep"})
_NON_NEGATIVE_INTS = frozenset({"trash_days"})
_BOOLS = frozenset({"keep_volume", "template_cache", "before_destructive", "in_template"})
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
        elif key in _NON_NEGATIVE_INTS:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise _fail(source, dotted, "must be a whole number, 0 or more")
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
            if key == "port":
                if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 65536:
                    raise _fail(source, f"{where}.port", "must be a port number (1-65535)")
            elif not isinstance(value, str):
                raise _fail(source, f"{where}.{key}", "must be a string")
        result[str(branch)] = WorktreeConfig(**table)
    return result


def _check_strategy(src: Path | None, key: str, strategy: str) -> None:
    if strategy not in STRATEGIES:
        raise _fail(src, key, f"{strategy!r} is not supported (supported: {', '.join(STRATEGIES)})")


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
    raise _fail(src, "database.name", reason)


def _check_template(src: Path | None, key: str, template: str) -> None:
    try:
        check_template(template)
    except InvalidInput as exc:
        raise _fail(src, key, exc.message) from None


def _template_fields(src: Path | None, key: str, template: str) -> list[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        reason = f"malformed template ({exc}; write a literal brace as {{{{ or }}}})"
        raise _fail(src, key, reason) from None
    return [f for _, f, _, _ in parsed if f is not None]


def _check_project(src: Path | None, project: ProjectConfig) -> None:
    name = project.name
    if name and ("/" in name or "\\" in name or ".." in name or any(ord(ch) < 0x20 for ch in name)):
        raise _fail(
            src, "project.name", "must be a plain name without '/', '\\' or '..' (it names folders)"
        )
    for part in _template_fields(src, "project.worktrees_dir", project.worktrees_dir):
        if part != "project":
            raise _fail(src, "project.worktrees_dir", f"unknown field {{{part}}} (known: project)")


def _check_commands(src: Path | None, migrations: MigrationsConfig) -> None:
    for key, command in (("apply", migrations.apply), ("rollback", migrations.rollback)):
        try:
            shlex.split(command)
        except ValueError as exc:
            raise _fail(src, f"migrations.{key}", f"not a valid command line: {exc}") from None


def _check_env(src: Path | None, env: EnvConfig) -> None:
    if not _ENV_NAME.fullmatch(env.url_key):
        raise _fail(
            src, "env.url_key", f"{env.url_key!r} is not a variable name ([A-Za-z_][A-Za-z0-9_]*)"
        )
    for key, template in env.keys.items():
        if not _ENV_NAME.fullmatch(key):
            raise _fail(src, f"env.keys.{key!r}", "is not a valid environment variable name")
        for part in _template_fields(src, f"env.keys.{key}", template):
            if part not in _ENV_KEY_FIELDS:
                raise _fail(
                    src,
                    f"env.keys.{key}",
                    f"unknown field {{{part}}} (known: {', '.join(sorted(_ENV_KEY_FIELDS))})",
                )
    if env.template and Path(env.template) == Path(env.file):
        raise _fail(src, "env.template", "must be another file than [env] file (it is read)")


def _validate(config: Config) -> None:
    src = config.source
    _check_project(src, config.project)
    _check_strategy(src, "database.strategy", config.database.strategy)
    pinned: dict[int, str] = {}
    for branch, override in config.worktrees.items():
        if override.strategy:
            _check_strategy(src, f'worktrees."{branch}".strategy', override.strategy)
        if override.port in pinned:
            raise _fail(
                src,
                f'worktrees."{branch}".port',
                f"{override.port} is already pinned for {pinned[override.port]}",
            )
        if override.port:
            pinned[override.port] = branch
    _check_template(src, "database.schema", config.database.schema)
    if not is_per_worktree(config.database.schema):
        raise _fail(src, "database.schema", "must contain {worktree} or {branch}")
    _check_template(src, "database.name", config.database.name)
    _check_name(src, config.database)
    if any(not rule.split() for rule in config.database.refuse):
        raise _fail(src, "database.refuse", "every rule needs at least one word")
    try:
        re.compile(config.migrations.name_pattern)
    except re.error as exc:
        raise _fail(src, "migrations.name_pattern", f"not a regular expression: {exc}") from None
    if config.migrations.lint not in LINTERS:
        raise _fail(
            src, "migrations.lint", f"{config.migrations.lint!r} is not one of {', '.join(LINTERS)}"
        )
    _check_commands(src, config.migrations)
    try:
        port_range(config.container.ports)
    except InvalidInput as exc:
        raise _fail(src, "container.ports", exc.message) from None
    url = config.database.url
    if url and (problem := url_problem(url)):
        raise _fail(src, "database.url", problem)  # never the URL itself: it has a password
    _check_env(src, config.env)
    _validate_lifecycle(config)
    paths = (
        ("migrations.dir", config.migrations.dir or "."),
        ("env.file", config.env.file),
        ("env.template", config.env.template or "."),
    )
    for key, value in paths:
        if not value or Path(value).is_absolute() or ".." in Path(value).parts:
            raise _fail(src, key, "must be a relative path inside the worktree")
    if not Path(config.env.file).parts:
        raise _fail(src, "env.file", "must name a file inside the worktree")


def _validate_lifecycle(config: Config) -> None:
    """`[database] clone_method`, `[snapshots] method` and `[seeds] files`."""
    src = config.source
    if config.database.clone_method not in CLONE_METHODS:
        raise _fail(src, "database.clone_method", f"must be one of {', '.join(CLONE_METHODS)}")
    if config.snapshots.method not in SNAPSHOT_METHODS:
        raise _fail(src, "snapshots.method", f"must be one of {', '.join(SNAPSHOT_METHODS)}")
    for file in config.seeds.files:
        if not file or Path(file).is_absolute() or ".." in Path(file).parts:
            raise _fail(src, "seeds.files", f"{file!r} must be a relative path inside the worktree")
        try:
            check_template(file)
        except InvalidInput as exc:
            raise _fail(src, "seeds.files", exc.message) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def from_mapping(data: Mapping[str, Any], source: Path | None = None) -> Config:
    """Validate a parsed TOML table into a `Config`.

    Raises:
        ConfigError: naming the file, the dotted key and the reason.
    """
    if not isinstance(data, Mapping):
        raise _fail(source, "wttui", "must be a table of sections")
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
    if dotfile.exists() or dotfile.is_symlink():
        return dotfile, _read_toml(dotfile)  # a directory or dangling link: said so, not skipped
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        tool = _read_toml(pyproject).get("tool", {})
        if not isinstance(tool, dict):
            raise _fail(pyproject, "tool", "must be a table ([tool])")
        if "wttui" in tool:
            if not isinstance(tool["wttui"], dict):
                raise _fail(pyproject, "tool.wttui", "must be a table ([tool.wttui])")
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
    config = from_mapping(_merge(user_data, data), path or (user_path if user_data else None))
    where = config.worktrees_path(root)
    if where.parent == where:
        raise _fail(
            config.source, "project.worktrees_dir", f"resolves to {where}, the filesystem root"
        )
    return config


def worktrees_dir_problem(path: Path) -> str | None:
    """Why a worktree cannot be made at `path` (its nearest existing parent is not a writable
    directory); None when it can. Checked before anything is made."""
    parent = path.parent
    while not parent.exists() and parent.parent != parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"{parent} is not a directory ([project] worktrees_dir)"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{parent} is not writable ([project] worktrees_dir)"
    return None
