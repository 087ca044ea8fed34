"""Which PostgreSQL server a project uses: a configured URL, or wttui's embedded cluster (F3).

Everything that needs the server asks `Server.admin_url()`, which starts the embedded cluster on
demand, so the app's first frame paints before any server work and `wttui status` on a fresh
machine just works.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from wttui.core.urls import server_label, with_database
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


def load_driver_early() -> None:
    """Start loading the database driver (psycopg: about 0.1 s of CPU) in a thread, so that it
    loads while the caller waits on git; the first `Server.provider()` then finds it loaded.
    Does nothing once it is loaded or loading."""
    global _driver_loading
    with _driver_lock:
        if _driver_loading or "wttui.providers.postgres" in sys.modules:
            return
        _driver_loading = True
    threading.Thread(
        target=importlib.import_module,
        args=("wttui.providers.postgres",),
        name="wttui-load-driver",
        daemon=True,
    ).start()


_driver_lock = threading.Lock()
_driver_loading = False


class Server:
    """One server handle per project; thread-safe, cheap to ask repeatedly."""

    def __init__(self, url: str = "", *, cluster: LocalCluster | None = None) -> None:
        self._url = url
        self._cluster = None if url else (cluster or LocalCluster(data_dir()))
        self._lock = threading.Lock()
        self._admin_url: str | None = url or None
        self._worktree_urls: dict[str, str] = {}
        self._held = threading.local()
        """The admin connection `one_login` holds, per thread."""

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
        return PostgresProvider(
            self.admin_url(), hint=hint, held=getattr(self._held, "connection", None)
        )

    @contextmanager
    def one_login(self) -> Iterator[None]:
        """Questions to the admin database asked inside, by this thread, share one connection:
        a refresh asks the server what changed, then lists its databases — one login, not one
        per question.

        Raises:
            ServerSetupError, DatabaseUnavailable: the server cannot be reached.
        """
        if getattr(self._held, "connection", None) is not None:
            yield
            return
        with self.provider().connect(autocommit=True) as connection:
            self._held.connection = connection
            try:
                yield
            finally:
                self._held.connection = None

    def role_url(self, role: str, *, createdb: bool = False, dbname: str = "postgres") -> str:
        """The URL of login role `role` (made if missing: no superuser, no CREATEROLE,
        CREATEDB only when asked), whose generated password wttui keeps 0600 in its data
        directory, per server. For worktrees, which must never hold the admin's credentials.

        Raises:
            ServerSetupError: the embedded cluster cannot start.
            Refused: `role` is a superuser or a role wttui did not make.
            DatabaseUnavailable, DatabaseError: the server refused.
        """
        if self._cluster is not None:
            return self._cluster.ensure_role(role, createdb=createdb, dbname=dbname)
        from wttui.providers.pg_roles import ensure_login_role, password_file, server_key
        from wttui.providers.private_files import private_dir

        roles = private_dir(private_dir(data_dir()) / "roles")
        directory = roles / server_key(self._url)
        return ensure_login_role(
            self._url,
            role,
            password_path=password_file(directory, role),
            createdb=createdb,
            dbname=dbname,
        )

    def worktree_url(self, role: str, dbname: str) -> str:
        """The URL a worktree gets for database `dbname`. On the embedded cluster: the
        project's own login role (`role_url`, made once per process), never the cluster's
        superuser, whose password stays in wttui's data directory. On a configured server:
        the configured URL, the credentials its owner chose for the project.

        Raises:
            ServerSetupError, DatabaseUnavailable: the server cannot be reached.
            Refused: `role` exists and is a superuser or not wttui's.
        """
        if self._cluster is None:
            return with_database(self._url, dbname)
        self.admin_url()  # started (and the label knows its address)
        with self._lock:
            base = self._worktree_urls.get(role)
        if base is None:
            base = self.role_url(role)
            with self._lock:
                self._worktree_urls[role] = base
        return with_database(base, dbname)

    @property
    def owns_roles(self) -> bool:
        """Whether worktrees connect as a role wttui made (the embedded cluster)."""
        return self._cluster is not None

    @property
    def label(self) -> str:
        """`embedded 127.0.0.1:5433` or `db.internal:5432`, never with credentials."""
        if self._cluster is None:
            return server_label(self._url)
        if self._admin_url:
            return f"embedded {server_label(self._admin_url)}"
        return f"embedded ({self._cluster.data_dir})"
