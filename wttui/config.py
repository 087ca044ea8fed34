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
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from wttui.config_checks import fail as _fail
from wttui.config_checks import validate
from wttui.config_files import find_config, read_toml
from wttui.config_model import (
    CONFIG_FILE,
    DEFAULT_REFUSED_COMMANDS,
    ONE_DATABASE_NAME,
    PER_WORKTREE_NAME,
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
)

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
    validate(config)
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


def load(root: Path) -> Config:
    """Load and validate the configuration for the repository whose main worktree is `root`.

    Raises:
        ConfigError: a file is malformed, or has an unknown key or a bad value.
    """
    user_path = user_config_path()
    user_data = read_toml(user_path) if user_path.is_file() else {}
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
