"""Which PostgreSQL server a project uses: a configured URL, or wttui's embedded cluster (F3).

Everything that needs the server asks `Server.admin_url()`, which starts the embedded cluster on
demand, so the app's first frame paints before any server work and `wttui status` on a fresh
machine just works.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from wttui.core.urls import server_label
from wttui.providers.local_cluster import LocalCluster

if TYPE_CHECKING:
    from wttui.providers.postgres import PostgresProvider


def data_dir() -> Path:
    """wttui's data directory: `$WTTUI_DATA_DIR`, else the platform's user data directory."""
    explicit = os.environ.get("WTTUI_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir("wttui"))


class Server:
    """One server handle per project; thread-safe, cheap to ask repeatedly."""

    def __init__(self, url: str = "", *, cluster: LocalCluster | None = None) -> None:
        self._url = url
        self._cluster = None if url else (cluster or LocalCluster(data_dir()))
        self._lock = threading.Lock()
        self._admin_url: str | None = url or None

    @property
    def embedded(self) -> bool:
        return self._cluster is not None

    @property
    def cluster(self) -> LocalCluster | None:
        return self._cluster

    def admin_url(self) -> str:
        """The admin URL (with password), starting the embedded cluster if needed.

        Raises:
            ServerSetupError: the embedded cluster cannot be initialised or started.
        """
        if self._cluster is None:
            return self._url
        with self._lock:
            # The cluster may have been stopped from another process (`wttui server stop`):
            # ensure_running is cheap when it is up, so ask every time rather than caching.
            self._admin_url = self._cluster.ensure_running()
            return self._admin_url

    def provider(self) -> PostgresProvider:
        """A provider for the admin URL (starts the embedded cluster if needed)."""
        # Imported on first use, in a worker: psycopg is not needed for the first frame.
        from wttui.providers.postgres import PostgresProvider

        if self._cluster is not None:
            hint = "`wttui server start` starts the embedded server; `wttui doctor` says more"
        else:
            hint = (
                f"is PostgreSQL running at {server_label(self._url)}? `wttui doctor` shows what "
                "listens there"
            )
        return PostgresProvider(self.admin_url(), hint=hint)

    @property
    def label(self) -> str:
        """`embedded 127.0.0.1:5433` or `db.internal:5432`, never with credentials."""
        if self._cluster is None:
            return server_label(self._url)
        if self._admin_url:
            return f"embedded {server_label(self._admin_url)}"
        return f"embedded ({self._cluster.data_dir})"
