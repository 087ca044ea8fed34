"""Measuring long database steps while they run, for a progress bar.

A `Poller` runs in a thread of the worker doing the step (never on the UI thread), with its own
connection, and reports to the step's sink every `POLL_SECONDS`. It measures; it never guesses:
when something cannot be measured (an older server, a role that may not see it, a copy method
that leaves no trace), nothing is reported and no bar is shown. A failing measurement stops the
poller quietly: it never fails or slows the step it measures.

What is measured:
- `CREATE DATABASE … TEMPLATE` with WAL_LOG (PostgreSQL 15's default): the copying session
  holds a lock on the new database's OID, so `pg_database_size` of that OID (its files, growing
  as blocks are copied) is read against the source's size. FILE_COPY takes no such lock and is
  not measured. Reading the size of a database not yet committed needs a superuser (wttui's
  embedded server and containers); another role sees no bar.
- `pg_dump` (PostgreSQL 14+, `pg_stat_progress_copy`): the table data it has read. Tables it
  has finished count with their size on disk; the one it is reading counts by the rows copied
  against the rows the statistics hold for its current size (`reltuples` per page, as the
  planner estimates it; a table never vacuumed nor analyzed counts only once finished).
- `pg_restore` of a dump file is measured where it is fed (`pg_tools.restore`): the bytes of
  the file it has read against the file's size.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from wttui.core.logsink import LogSink
from wttui.errors import WttuiError

POLL_SECONDS = 0.5
"""How often a running step is measured (the app redraws its bar about this often too)."""
STOP_SECONDS = 5.0
"""How long the step waits for its poller to finish a measurement in flight."""
APPLICATION = "wttui progress"
"""The poller's `application_name` (a session listed while a copy runs is named for it)."""

Connection = psycopg.Connection[tuple[Any, ...]]
Connect = Callable[[], AbstractContextManager[Connection]]
"""Opens the poller's connection: in autocommit (statistics views are read afresh each time
only outside a transaction)."""
Measure = Callable[[Connection], "tuple[int, int] | None"]
"""One measurement: `(done, total)`, or None when there is nothing to report yet."""
Setup = Callable[[Connection], "Measure | None"]
"""Reads what does not change while the step runs (the total); None: cannot be measured."""


class Poller:
    """`with Poller(connect, setup, sink, label):` measures while the block runs."""

    def __init__(
        self,
        connect: Connect,
        setup: Setup,
        sink: LogSink,
        label: str,
        every: float | None = None,
    ) -> None:
        self._connect = connect
        self._setup = setup
        self._sink = sink
        self._label = label
        self._every = POLL_SECONDS if every is None else every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wttui-progress", daemon=True)
        self.reported = False

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(STOP_SECONDS)
        if self.reported:
            self._sink.progress(0, None, self._label)  # the bar goes

    def _run(self) -> None:
        try:
            with self._connect() as conn:
                conn.execute("SET statement_timeout = 2000")  # never queue behind a lock
                measure = self._setup(conn)
                while measure is not None and not self._stop.wait(self._every):
                    measured = measure(conn)
                    if measured is not None and not self._stop.is_set():
                        self._sink.progress(measured[0], measured[1], self._label)
                        self.reported = True
        except (psycopg.Error, WttuiError, OSError):
            return  # not measurable here: the step goes on without a bar


# -- CREATE DATABASE … TEMPLATE ----------------------------------------------------------------

_SOURCE = "SELECT oid, pg_database_size(oid) FROM pg_database WHERE datname = %s"
_NEW_DATABASE = """
SELECT objid FROM pg_locks
 WHERE pid = %s AND locktype = 'object' AND classid = 'pg_database'::regclass
   AND objid <> %s AND granted
 LIMIT 1
"""


def template_copy(source: str, backend_pid: int) -> Setup:
    """Measure the copy of database `source` run by the session `backend_pid`: the new
    database's size on disk against the source's."""

    def setup(conn: Connection) -> Measure | None:
        row = conn.execute(_SOURCE, (source,)).fetchone()
        if row is None or not row[1]:
            return None
        source_oid, total = int(row[0]), int(row[1])
        found: list[int] = []

        def measure(conn: Connection) -> tuple[int, int] | None:
            if not found:
                oid = conn.execute(_NEW_DATABASE, (backend_pid, source_oid)).fetchone()
                if oid is None:
                    return None  # not started yet, or a method that takes no lock
                found.append(int(oid[0]))
            size = conn.execute("SELECT pg_database_size(%s::oid)", (found[0],)).fetchone()
            return (min(int(size[0]), total), total) if size and size[0] is not None else None

        return measure

    return setup


# -- pg_dump -------------------------------------------------------------------------------------

_TABLES = """
SELECT c.oid, pg_table_size(c.oid), pg_relation_size(c.oid), c.reltuples, c.relpages,
       current_setting('block_size')::int
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r' AND c.relpersistence <> 't'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%%'
   AND (%(schema)s::text IS NULL OR n.nspname = %(schema)s)
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype = 'e')
"""
_COPYING = """
SELECT p.relid, p.tuples_processed
  FROM pg_stat_progress_copy p JOIN pg_stat_activity a ON a.pid = p.pid
 WHERE a.application_name = %s AND p.command = 'COPY TO'
"""


@dataclass
class _Table:
    size: int
    """On disk, with its TOAST: what reading it costs."""
    rows: float | None
    """The rows the statistics hold for its current size; None: never counted."""


@dataclass
class _DumpState:
    tables: dict[int, _Table]
    seen: set[int] = field(default_factory=set)

    def done(self, copying: tuple[int, int] | None) -> int:
        """Bytes read: tables finished, and the current one by its rows copied."""
        current = copying[0] if copying else None
        if current is not None:
            self.seen.add(current)
        finished = sum(self.tables[oid].size for oid in self.seen if oid != current)
        if copying is None or current not in self.tables:
            return finished
        table = self.tables[copying[0]]
        if not table.rows:
            return finished
        return finished + int(table.size * min(1.0, copying[1] / table.rows))


def dump_reads(application_name: str, schema: str | None) -> Setup:
    """Measure a `pg_dump` run with `application_name` (connected to the database it dumps):
    the table data it has read against all of it (only `schema`'s when given)."""

    def setup(conn: Connection) -> Measure | None:
        tables: dict[int, _Table] = {}
        for oid, size, main, tuples, pages, block in conn.execute(_TABLES, {"schema": schema}):
            # The planner's count for the table as it is now: rows per page counted by the
            # last VACUUM or ANALYZE, times the pages it has now.
            known = tuples is not None and tuples > 0 and pages and pages > 0
            rows = float(tuples) / int(pages) * (int(main) / int(block)) if known else None
            tables[int(oid)] = _Table(int(size), rows)
        total = sum(table.size for table in tables.values())
        if not total:
            return None
        state = _DumpState(tables)

        def measure(conn: Connection) -> tuple[int, int] | None:
            row = conn.execute(_COPYING, (application_name,)).fetchone()
            copying = (int(row[0]), int(row[1])) if row else None
            return min(state.done(copying), total), total

        return measure

    return setup
