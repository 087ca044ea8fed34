"""One migrate at a time per database: a PostgreSQL advisory lock held for a whole run.

Every run that changes a database's migrations — `migrate` (wttui's runner, or a tool's CLI),
`rollback`, `resolve` — holds the session-level advisory lock below on a connection of its own
from before it reads the state until after it recorded what it did. Two worktrees migrating a
shared database at once therefore run one after the other: the second waits, and says who
holds the lock (pid, application name, since when). The tools' own locks (Prisma,
golang-migrate and node-pg-migrate take advisory locks of their own) use single 64-bit keys, a
different key space from this two-key lock, so they never collide with it. Advisory locks
belong to one database: other databases on the same server never wait. A crashed run's
connection closes and the server releases its lock at once.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import psycopg

from wttui.core.logsink import CancelToken, LogSink
from wttui.errors import Cancelled
from wttui.migrations.adapter import Connection
from wttui.providers.postgres import PostgresProvider

KEY = (0x77747475, 1)
"""`pg_advisory_lock(int, int)`: 'wttu' and 1 (migrations). Shown in `pg_locks` as classid
and objid with objsubid 2."""

POLL = 0.2
"""Seconds between two tries while another run holds the lock."""

_HOLDER = """
SELECT a.pid, a.application_name, a.usename, a.client_addr::text,
       coalesce(a.query_start, a.backend_start)
  FROM pg_locks l
  LEFT JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
   AND l.classid = %s::bigint::oid AND l.objid = %s::bigint::oid
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND l.pid <> pg_backend_pid()
 LIMIT 1
"""


@dataclass(frozen=True)
class Holder:
    """The session holding a database's migration lock."""

    pid: int
    application: str | None
    user: str | None
    client: str | None
    since: datetime | None

    def describe(self) -> str:
        """`pid 4242 (wttui migrate feat/x), since 12:03:04`; what the server hides (another
        role's session) is left out."""
        parts = [f"pid {self.pid}"]
        if self.application:
            parts[0] += f" ({self.application})"
        if self.user:
            parts.append(f"user {self.user}")
        if self.since is not None:
            parts.append(f"since {self.since.astimezone():%H:%M:%S}")
        return ", ".join(parts)


def holder(conn: Connection) -> Holder | None:
    """Who holds the migration lock of `conn`'s database now (None: nobody). Only reads."""
    row = conn.execute(_HOLDER, KEY).fetchone()
    if row is None:
        return None
    pid, application, user, client, since = row
    return Holder(int(pid), application or None, user or None, client, since)


@contextmanager
def migration_lock(
    conninfo: str, *, who: str, sink: LogSink, cancel: CancelToken
) -> Iterator[None]:
    """Hold the database's migration lock while the block runs; waits (cancellable) when
    another run holds it, after saying who that is. `who` becomes the lock session's
    `application_name` (`wttui migrate feat/x`), which is what a waiting run shows.

    Raises:
        Cancelled: the user cancelled while waiting.
        DatabaseUnavailable: the database cannot be reached.
    """
    with PostgresProvider(conninfo).connect(autocommit=True, application_name=who) as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", KEY).fetchone()
        if not (row and row[0]):
            _wait(conn, sink, cancel)
        try:
            yield
        finally:
            # Closing the connection next releases the lock as well.
            with contextlib.suppress(psycopg.Error):
                conn.execute("SELECT pg_advisory_unlock(%s, %s)", KEY)


def _wait(conn: Connection, sink: LogSink, cancel: CancelToken) -> None:
    """Poll for the lock (a blocking `pg_advisory_lock` could miss a cancel sent just before
    it starts), saying who holds it, again whenever that changes."""
    told: int | None = None
    while True:
        found = holder(conn)
        if found is not None and found.pid != told:
            sink.line(
                f"Another migration run holds this database's lock: {found.describe()}; waiting",
                stream="warn",
            )
            told = found.pid
        if cancel.cancelled:
            raise Cancelled("Cancelled while waiting for the migration lock; nothing ran")
        time.sleep(POLL)
        row = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", KEY).fetchone()
        if row and row[0]:
            if told is not None:
                sink.line("Got the migration lock")
            return
