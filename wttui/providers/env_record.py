"""What wttui last wrote into each env file, and where the previous content is kept.

Both live in wttui's data directory, never next to the env file (a backup there is one more
untracked file holding a password). The record keeps a SHA-256 digest of each managed value
wttui wrote, not the value: `sync` tells a value wttui wrote (stale, safe to update) from one a
user set by hand (replaced only with `--force`), without a second copy of any password.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path


def _key(env_file: Path) -> str:
    """A file name for `env_file`: its directory's name (readable) and a digest of its path."""
    resolved = str(env_file.resolve())
    digest = hashlib.sha256(resolved.encode()).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", env_file.parent.name)[:40] or "root"
    return f"{name}-{digest}"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def _write_private(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class EnvRecord:
    """Records and backups of env files, under `root` (wttui's data directory)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def backup_dir(self) -> Path:
        """Where previous contents of env files are kept (`envfile.write_env`'s `backup_dir`)."""
        return self.root / "backups" / "env"

    def backup_path(self, env_file: Path) -> Path:
        """Where the previous content of `env_file` is kept (0600, in a 0700 directory)."""
        from wttui.providers.envfile import backup_path

        return backup_path(self.backup_dir, env_file)

    def _record_path(self, env_file: Path) -> Path:
        return self.root / "state" / "env" / f"{_key(env_file)}.json"

    def _read(self, env_file: Path) -> dict[str, object]:
        try:
            data = json.loads(self._record_path(env_file).read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def written(self, env_file: Path) -> dict[str, str]:
        """Key → digest of the value wttui last wrote there (empty when unknown)."""
        values = self._read(env_file).get("keys")
        return {str(k): str(v) for k, v in values.items()} if isinstance(values, dict) else {}

    def label(self, env_file: Path) -> str | None:
        """The worktree (branch) the file was written for: what a removal hook that knows only
        a deleted worktree's path needs to find its database."""
        label = self._read(env_file).get("label")
        return label if isinstance(label, str) else None

    def remember(self, env_file: Path, values: Mapping[str, str], *, label: str) -> None:
        """Record that wttui wrote `values` into `env_file` now, for worktree `label`."""
        path = self._record_path(env_file)
        _private_dir(path.parent)
        keys = {**self.written(env_file), **{k: digest(v) for k, v in values.items()}}
        record = {"file": str(env_file.resolve()), "label": label, "keys": keys}
        _write_private(path, json.dumps(record, indent=2))
