"""Where a repository's configuration is and its TOML, read without validating it.

Light on purpose (no model, no checks): `wttui` runs it before the app's first frame, so a file
that is not TOML at all gets its one line and exit 2 before anything is drawn (`ui/launch.py`),
at the cost of parsing a small file. What the TOML holds (sections, keys, types) is checked by
`wttui.config.load`, which reads the same files through `find_config`.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from wttui.errors import ConfigError

CONFIG_FILE = ".wttui.toml"


def read_toml(path: Path) -> dict[str, Any]:
    """The file's TOML.

    Raises:
        ConfigError: it is not TOML, not UTF-8, a directory, or cannot be read.
    """
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


def find_config(root: Path) -> tuple[Path | None, dict[str, Any]]:
    """The repository's config file and its `wttui` table (empty when there is none):
    `WTTUI_CONFIG`, else `.wttui.toml` in the main worktree `root`, else pyproject.toml's
    `[tool.wttui]`.

    Raises:
        ConfigError: the file cannot be read as TOML, or `[tool.wttui]` is not a table.
    """
    explicit = os.environ.get("WTTUI_CONFIG")
    if explicit:
        path = Path(explicit)
        return path, read_toml(path)
    dotfile = root / CONFIG_FILE
    if dotfile.exists() or dotfile.is_symlink():
        return dotfile, read_toml(dotfile)  # a directory or dangling link: said so, not skipped
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        tool = read_toml(pyproject).get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{pyproject}: tool: must be a table ([tool])")
        if "wttui" in tool:
            if not isinstance(tool["wttui"], dict):
                raise ConfigError(f"{pyproject}: tool.wttui: must be a table ([tool.wttui])")
            return pyproject, tool["wttui"]
    return None, {}
