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
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from wttui.config_model import (
    CLONE_METHODS,
    CONFIG_FILE,
    DEFAULT_REFUSED_COMMANDS,
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
_LISTS = frozenset({"refuse", "vague_names", "files"})
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
    if not is_per_worktree(config.database.schema):
        raise _fail(src, "database.schema", "must contain {worktree} or {branch}")
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
    _validate_lifecycle(config)
    paths = (("migrations.dir", config.migrations.dir or "."), ("env.file", config.env.file))
    for key, value in paths:
        if not value or Path(value).is_absolute() or ".." in Path(value).parts:
            raise _fail(src, key, "must be a relative path inside the worktree")


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
