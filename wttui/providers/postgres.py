"""The PostgreSQL provider: databases on one server, through psycopg 3.

Each call opens its own short-lived connection to the admin URL, so the provider is safe to use
from several worker threads at once. Every identifier reaches SQL through `psycopg.sql`, and
every error leaves as a `wttui.errors` type whose message names the server (`host:port`) but
never the password.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from wttui.core.models import DatabaseInfo
from wttui.core.naming import MAX_IDENTIFIER_BYTES
from wttui.core.urls import mask_secrets, server_label, url_secrets, with_database
from wttui.errors import DatabaseError, DatabaseInUse, DatabaseUnavailable, InvalidInput

CONNECT_TIMEOUT = 5
"""Seconds before a connection attempt gives up (a down server must not hang a refresh)."""
APPLICATION = "wttui"
"""`application_name` of wttui's sessions (`pg_stat_activity`), unless the URL sets one."""

_NOT_AUTOVACUUM = "backend_type <> 'autovacuum worker'"
"""Sessions a user opened: PostgreSQL's own autovacuum workers come and go on any database
that was just written, and a drop or rename ends them itself, so they never count."""

_LIST_DATABASES = f"""
SELECT d.datname,
       pg_database_size(d.oid),
       pg_get_userbyid(d.datdba),
       (SELECT count(*) FROM pg_stat_activity a
         WHERE a.datid = d.oid AND a.pid <> pg_backend_pid() AND {_NOT_AUTOVACUUM})
  FROM pg_database d
 WHERE NOT d.datistemplate AND d.datallowconn
"""

_SESSIONS = f"""
SELECT pid, coalesce(application_name, ''), coalesce(client_addr::text, 'local'),
       coalesce(state, '')
  FROM pg_stat_activity
 WHERE datname = %s AND pid <> pg_backend_pid() AND {_NOT_AUTOVACUUM}
 ORDER BY pid
"""


@dataclass(frozen=True)
class Session:
    """One open session on a database, for confirmations that must say who will be cut off."""

    pid: int
    application: str
    client: str
    state: str


DEFAULT_HINT = "`wttui doctor` says what is wrong and how to fix it"


def _unavailable(exc: psycopg.Error, url: str, hint: str = DEFAULT_HINT) -> DatabaseUnavailable:
    text = str(exc).strip()
    if "connection refused" in text.lower():
        reason = "connection refused"
    elif "timeout expired" in text.lower():
        reason = "no answer (timed out)"
    else:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        reason = lines[-1].removeprefix("FATAL:").strip() if lines else type(exc).__name__
        reason = mask_secrets(reason, url_secrets(url))
    return DatabaseUnavailable(
        f"Cannot connect to PostgreSQL at {server_label(url)}: {reason}",
        hint=hint,
    )


def _lost_connection(exc: psycopg.Error) -> bool:
    """A connection-level failure (class 08, admin shutdown) rather than a statement error."""
    state = exc.sqlstate or ""
    return isinstance(exc, psycopg.OperationalError) and (
        not state or state.startswith(("08", "57P"))
    )


def _params(url: str) -> dict[str, Any]:
    try:
        return conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return {}  # psycopg.connect says what is wrong with it


def check_name(name: str) -> None:
    """Reject an empty name or one over PostgreSQL's 63-byte limit before touching the server."""
    if not name:
        raise InvalidInput("A database name cannot be empty")
    size = len(name.encode())
    if size > MAX_IDENTIFIER_BYTES:
        raise InvalidInput(
            f"Database name {name!r} is {size} bytes; PostgreSQL allows at most "
            f"{MAX_IDENTIFIER_BYTES}"
        )


class PostgresProvider:
    """Databases on the server behind `admin_url` (a maintenance database such as `postgres`)."""

    def __init__(
        self,
        admin_url: str,
        *,
        hint: str = DEFAULT_HINT,
        held: psycopg.Connection[tuple[Any, ...]] | None = None,
    ) -> None:
        self.admin_url = admin_url
        self.hint = hint
        """What to do when the server cannot be reached (it depends on whose server it is)."""
        self._held = held
        """An open autocommit connection to the admin database that `connect()` lends instead
        of logging in again (`Server.one_login`); its owner closes it."""

    @property
    def server_label(self) -> str:
        return server_label(self.admin_url)

    def url_for(self, dbname: str) -> str:
        """The admin URL pointed at `dbname` (same credentials)."""
        return with_database(self.admin_url, dbname)

    @contextmanager
    def connect(
        self,
        dbname: str | None = None,
        *,
        autocommit: bool = False,
        application_name: str = APPLICATION,
    ) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
        """A connection to `dbname` (default: the admin database), closed on exit.

        The client encoding is always UTF8: on a server whose encoding is `SQL_ASCII` the
        default client encoding is `SQL_ASCII` too, and psycopg then returns every text value
        as bytes. `application_name` names the session in `pg_stat_activity` (a migrate's lock
        holder is shown by it); a URL that sets its own keeps it.

        Raises:
            DatabaseUnavailable: the server cannot be reached or refuses the login.
            DatabaseError: a statement failed.
        """
        url = self.url_for(dbname) if dbname else self.admin_url
        held = self._held
        if (
            held is not None
            and not held.closed
            and not dbname
            and autocommit
            and application_name == APPLICATION
        ):
            conn = held
        else:
            extra: dict[str, Any] = {"client_encoding": "UTF8"}
            if "application_name" not in _params(url):
                extra["application_name"] = application_name[:63]
            try:
                conn = psycopg.connect(
                    url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT, **extra
                )
            except psycopg.OperationalError as exc:
                raise _unavailable(exc, url, self.hint) from None
        try:
            with ExitStack() as owned:
                if conn is not held:  # ours: committed (or rolled back) and closed on exit
                    owned.enter_context(conn)
                yield conn
        except psycopg.Error as exc:
            if _lost_connection(exc):
                raise _unavailable(exc, url, self.hint) from None
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            message = mask_secrets(first_line, url_secrets(url))
            raise DatabaseError(f"PostgreSQL at {self.server_label}: {message}") from None

    def ping(self) -> str:
        """The server's version string."""
        with self.connect(autocommit=True) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else ""

    def list_databases(self) -> list[DatabaseInfo]:
        """Every connectable, non-template database with size, owner and open sessions."""
        with self.connect(autocommit=True) as conn:
            rows = conn.execute(_LIST_DATABASES + " ORDER BY d.datname").fetchall()
        return [
            DatabaseInfo(
                name=str(name), size_bytes=int(size), owner=str(owner), connections=int(count)
            )
            for name, size, owner, count in rows
        ]

    def get_database(self, name: str) -> DatabaseInfo | None:
        """One database as `list_databases` describes it (only its row is read), or None."""
        with self.connect(autocommit=True) as conn:
            row = conn.execute(_LIST_DATABASES + " AND d.datname = %s", (name,)).fetchone()
        if row is None:
            return None
        name_, size, owner, count = row
        return DatabaseInfo(
            name=str(name_), size_bytes=int(size), owner=str(owner), connections=int(count)
        )

    def activity(self) -> dict[str, tuple[int, int]]:
        """Per database: rows written so far (inserted + updated + deleted, catalog rows of DDL
        included) and open sessions, from the server's statistics, in one query. Reads do not
        move the first number, so a refresh can tell which databases something changed."""
        with self.connect(autocommit=True) as conn:
            rows = conn.execute(
                "SELECT d.datname, d.tup_inserted + d.tup_updated + d.tup_deleted, "
                "(SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.datid AND "
                f"{_NOT_AUTOVACUUM}) FROM pg_stat_database d WHERE d.datname IS NOT NULL"
            ).fetchall()
        return {str(name): (int(written), int(sessions)) for name, written, sessions in rows}

    def database_exists(self, name: str) -> bool:
        with self.connect(autocommit=True) as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        return row is not None

    def sessions(self, name: str) -> list[Session]:
        """Open sessions on database `name` (other than ours)."""
        with self.connect(autocommit=True) as conn:
            rows = conn.execute(_SESSIONS, (name,)).fetchall()
        return [
            Session(int(pid), str(app), str(client), str(state)) for pid, app, client, state in rows
        ]

    def create_database(
        self, name: str, *, template: str | None = None, owner: str | None = None
    ) -> None:
        """`CREATE DATABASE name [TEMPLATE template] [OWNER owner]`.

        Raises:
            InvalidInput: the name is empty or over 63 bytes (nothing is sent to the server).
            DatabaseError: it already exists.
            DatabaseInUse: the template has open sessions (PostgreSQL cannot copy it then).
        """
        check_name(name)
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        if owner:
            statement = sql.SQL("{} OWNER {}").format(statement, sql.Identifier(owner))
        if self.database_exists(name):
            raise DatabaseError(f"Database {name} already exists on {self.server_label}")
        try:
            with self.connect(autocommit=True) as conn:
                conn.execute(statement)
        except DatabaseError as exc:
            if template and "being accessed by other users" in exc.message:
                count = len(self.sessions(template))
                raise DatabaseInUse(
                    f"Template database {template} has {count} open session(s); "
                    "PostgreSQL can only copy an idle database",
                    hint="close the sessions on the template and try again",
                ) from None
            raise

    def drop_database(self, name: str, *, force: bool = False) -> bool:
        """Drop database `name`. Returns False when it did not exist.

        Args:
            force: terminate open sessions (`WITH (FORCE)`); without it, busy databases are
                refused.

        Raises:
            DatabaseInUse: it has open sessions and `force` is False (nothing is dropped).
        """
        check_name(name)
        if not self.database_exists(name):
            return False
        if not force:
            sessions = self.sessions(name)
            if sessions:
                apps = sorted({s.application or s.client for s in sessions})
                raise DatabaseInUse(
                    f"Database {name} has {len(sessions)} open session(s) ({', '.join(apps)})",
                    hint="close them, or force the drop to terminate them",
                )
        statement = sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        if force:
            statement = sql.SQL("{} WITH (FORCE)").format(statement)
        try:
            with self.connect(autocommit=True) as conn:
                conn.execute(statement)
        except DatabaseError as exc:
            if force or "being accessed by other users" not in exc.message:
                raise
            # A session opened since the look above: refused as that look would have.
            raise DatabaseInUse(
                f"Database {name} has {len(self.sessions(name))} open session(s)",
                hint="close them, or force the drop to terminate them",
            ) from None
        return True
