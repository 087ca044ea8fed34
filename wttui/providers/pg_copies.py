"""Copying, renaming, freezing and listing databases on one server: what the template cache,
snapshots, trash and rebuild do with whole databases.

A copy is `CREATE DATABASE … TEMPLATE … STRATEGY …` (the method chosen by the caller, see
`wttui.lifecycle.clone`); PostgreSQL 18's `file_copy_method = clone` is set for the copy's
session when asked for. A template is frozen (`IS_TEMPLATE true, ALLOW_CONNECTIONS false`) so no
session can open on it between clones, and thawed before it is renamed or dropped. Renames that
must happen together (a swap) run in one transaction: PostgreSQL allows `ALTER DATABASE …
RENAME` inside one, so a swap is all or nothing. Every name goes through `psycopg.sql`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from psycopg import sql

from wttui.core.logsink import LogSink
from wttui.errors import DatabaseError, DatabaseInUse, InvalidInput
from wttui.providers import pg_progress
from wttui.providers.postgres import PostgresProvider, Session, check_name

_VERSIONS: dict[str, int] = {}
"""Server versions by `host:port` (a server does not change version under a running wttui)."""

SESSION_GRACE = 3.0
"""Seconds a copy or rename waits for brief sessions on a database to end before refusing."""

_OWNED = """
SELECT d.datname, pg_database_size(d.oid), d.datistemplate, d.datallowconn,
       coalesce(shobj_description(d.oid, 'pg_database'), '')
  FROM pg_database d
 WHERE d.datname LIKE %s
 ORDER BY d.datname
"""


@dataclass(frozen=True)
class StoredDatabase:
    """A database as the lifecycle listings show it (templates included), with its comment."""

    name: str
    size_bytes: int
    is_template: bool
    allows_connections: bool
    meta: dict[str, Any] = field(default_factory=dict)
    """The JSON wttui wrote into the database's comment (empty: none, or not JSON)."""


def _meta(comment: str) -> dict[str, Any]:
    try:
        value = json.loads(comment) if comment else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _in_use_text(name: str, sessions: Sequence[Session]) -> str:
    apps = sorted({s.application or s.client for s in sessions}) or ["unknown"]
    return f"Database {name} has {len(sessions)} open session(s) ({', '.join(apps)})"


class DatabaseCopies:
    """Whole-database operations on the server behind `provider`."""

    def __init__(self, provider: PostgresProvider) -> None:
        self.provider = provider

    # -- reading -----------------------------------------------------------------------------

    def version_num(self) -> int:
        """The server's `server_version_num` (150018 for 15.18), asked once per server."""
        key = self.provider.server_label
        if key not in _VERSIONS:
            with self.provider.connect(autocommit=True) as conn:
                row = conn.execute("SHOW server_version_num").fetchone()
            _VERSIONS[key] = int(row[0]) if row else 0
        return _VERSIONS[key]

    def listing(self, prefix: str) -> list[StoredDatabase]:
        """Every database whose name starts with `prefix` (templates too), one query."""
        pattern = prefix.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"
        with self.provider.connect(autocommit=True) as conn:
            rows = conn.execute(_OWNED, (pattern,)).fetchall()
        return [
            StoredDatabase(str(n), int(size), bool(tpl), bool(conn_ok), _meta(str(comment)))
            for n, size, tpl, conn_ok, comment in rows
        ]

    def existing(self, names: Sequence[str]) -> set[str]:
        """Which of `names` exist (one query)."""
        if not names:
            return set()
        with self.provider.connect(autocommit=True) as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database WHERE datname = ANY(%s)", (list(names),)
            ).fetchall()
        return {str(row[0]) for row in rows}

    def clone_supported(self) -> bool:
        """PostgreSQL 18+ where `file_copy_method = clone` is accepted (the platform can
        clone or copy_file_range files)."""
        if self.version_num() < 180000:
            return False
        try:
            with self.provider.connect(autocommit=True) as conn:
                conn.execute("SET file_copy_method = clone")
        except DatabaseError:
            return False
        return True

    def _refuse_sessions(self, name: str, what: str) -> None:
        """Refuse while sessions are open on `name`, after waiting `SESSION_GRACE` seconds
        for brief ones to end (a refresh's status read, wttui's own or another process's)."""
        deadline = time.monotonic() + SESSION_GRACE
        sessions = self.provider.sessions(name)
        while sessions and time.monotonic() < deadline:
            time.sleep(0.1)
            sessions = self.provider.sessions(name)
        if sessions:
            raise DatabaseInUse(
                _in_use_text(name, sessions) + f"; PostgreSQL cannot {what} it while they are open",
                hint="close them (or stop the app using it) and try again",
            )

    # -- changing ----------------------------------------------------------------------------

    def copy(
        self,
        source: str,
        dest: str,
        *,
        strategy: str | None = None,
        clone: bool = False,
        frozen: bool = False,
        progress: LogSink | None = None,
    ) -> None:
        """`CREATE DATABASE dest TEMPLATE source [STRATEGY strategy]`; with `progress`, the
        copy is measured while it runs (`pg_progress.template_copy`) and reported there.

        Raises:
            InvalidInput: a name is empty or too long.
            DatabaseInUse: the source has open sessions (named).
            DatabaseError: `dest` exists, or the copy failed.

        `frozen`: the source is a frozen template (no session can be open on it).
        """
        check_name(source)
        check_name(dest)
        statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(dest), sql.Identifier(source)
        )
        if strategy:
            if strategy not in ("WAL_LOG", "FILE_COPY"):
                raise InvalidInput(f"Unknown copy strategy {strategy!r}")
            statement = sql.SQL("{} STRATEGY {}").format(statement, sql.SQL(strategy))
        for attempt in range(3):
            if not frozen or attempt:  # a frozen template takes no connections: no one to wait for
                self._refuse_sessions(source, "copy")
            try:
                with self.provider.connect(autocommit=True) as conn:
                    if clone:
                        conn.execute("SET file_copy_method = clone")
                    if progress is None:
                        conn.execute(statement)
                        return
                    setup = pg_progress.template_copy(source, conn.info.backend_pid)
                    with pg_progress.Poller(self._poll_connection, setup, progress, "copy"):
                        conn.execute(statement)
                return
            except DatabaseError as exc:
                if "being accessed by other users" not in exc.message or attempt == 2:
                    raise  # a session that came between the check and the copy: try again

    def _poll_connection(self) -> AbstractContextManager[pg_progress.Connection]:
        return self.provider.connect(autocommit=True, application_name=pg_progress.APPLICATION)

    def freeze(self, name: str, meta: dict[str, Any]) -> None:
        """Make `name` a template nobody can connect to, its `meta` in the comment."""
        ident = sql.Identifier(name)
        with self.provider.connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    ident, sql.Literal(json.dumps(meta, sort_keys=True))
                )
            )
            conn.execute(
                sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").format(
                    ident
                )
            )

    def annotate(self, name: str, meta: dict[str, Any]) -> None:
        """Write `meta` as JSON into the database's comment."""
        with self.provider.connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(name), sql.Literal(json.dumps(meta, sort_keys=True))
                )
            )

    def thaw(self, name: str) -> None:
        """Undo `freeze` (a template cannot be dropped; a frozen one cannot be connected to)."""
        with self.provider.connect(autocommit=True) as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE false ALLOW_CONNECTIONS true").format(
                    sql.Identifier(name)
                )
            )

    def rename(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Rename databases (`old → new` each) in one transaction: all or nothing.

        Raises:
            DatabaseInUse: one of them has open sessions (named); nothing was renamed.
            DatabaseError: a new name is taken, or an old one is gone.
        """
        for old, new in pairs:
            check_name(old)
            check_name(new)
        for attempt in range(3):
            for old, _ in pairs:
                self._refuse_sessions(old, "rename")
            try:
                with self.provider.connect() as conn, conn.transaction():
                    for old, new in pairs:
                        conn.execute(
                            sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                                sql.Identifier(old), sql.Identifier(new)
                            )
                        )
                return
            except DatabaseError as exc:
                if "being accessed by other users" not in exc.message or attempt == 2:
                    raise

    def terminate(self, name: str) -> int:
        """End every other session on database `name` (a forced soft drop); how many."""
        with self.provider.connect(autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            ).fetchall()
        return len(rows)

    def drop(self, name: str, *, force: bool = False) -> bool:
        """Drop `name` (thawed first when frozen); False when it did not exist."""
        found = [db for db in self.listing(name) if db.name == name]
        if not found:
            return False
        if found[0].is_template or not found[0].allows_connections:
            self.thaw(name)
        return self.provider.drop_database(name, force=force)
