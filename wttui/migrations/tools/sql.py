"""wttui's built-in runner for a folder of plain SQL migrations, as an adapter whose executor
runs in-process.

The folder's layouts are `sql_files.py`'s (`VERSION_name.sql` with `-- migrate:up/down`
sections, or `.up.sql`/`.down.sql` pairs). State lives in one tracking table per database
(`wttui_schema_migrations` by default, `[migrations] table`): the version, name and checksum of
each migration, when it was applied, and the worktree, branch and commit that applied it, so a
database shared by several worktrees can say who owns what. A failed attempt is recorded too
(status `failed`, with the error and its file:line); the statuses are `sql_tracking.py`'s.

Each migration runs in its own transaction together with its tracking row, unless the file
controls transactions itself; how both ways run, and what a crash or a failure leaves, is
`sql_executor.py`'s. Runs on one database are serialised by the runner's migration lock, so two
worktrees migrating one database at once apply each migration once. The runner refuses to
migrate while an applied file was edited (`refuse_modified`), since the edit would never run,
and while a migration run without a transaction did not finish (`unfinished` rows).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from psycopg import sql

from wttui.core.models import MigrationState
from wttui.migrations import sql_tracking as tracking
from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    ApplyContext,
    Connection,
    Executor,
    LocalMigration,
    version_key,
)
from wttui.migrations.resolution import Resolution, ResolveRequest
from wttui.migrations.sql_executor import SqlExecutor
from wttui.migrations.sql_files import read_folder

DEFAULT_TABLE = "wttui_schema_migrations"


class SqlAdapter(Adapter):
    """The fallback: never detected, in force when no tool's markers are in the worktree (or
    with `[migrations] tool = "sql"`)."""

    name = "sql"
    default_dir = "migrations"
    out_of_order = "wttui's runner applies it with the others"
    # Its tracking table records who applied what; the side table too, so that a tracking row
    # deleted by hand is reported (the side table remembers it was applied).
    records_owners = True
    state_table = DEFAULT_TABLE
    refuse_modified = True
    down_part = "-- migrate:down section or .down.sql file"

    def __init__(self, table: str = DEFAULT_TABLE) -> None:
        self.table = table

    @classmethod
    def configured(cls, *, table: str) -> SqlAdapter:
        return cls(table or DEFAULT_TABLE)

    def detect(self, root: Path) -> bool:
        del root
        return False

    def local(self, folder: Path) -> list[LocalMigration]:
        """Raises:
        MigrationFileError: a malformed file (see `sql_files.read_folder`)."""
        found: list[LocalMigration] = [*read_folder(folder)]
        return found

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        ident = sql.Identifier(self.table)
        found = conn.execute("SELECT to_regclass(%s)", (ident.as_string(conn),)).fetchone()
        if found is None or found[0] is None:
            return None
        query = sql.SQL(
            "SELECT version, name, checksum, status, error, applied_at, "
            "coalesce(applied_by_branch, applied_by_worktree) FROM {}"
        ).format(ident)
        rows = sorted(conn.execute(query).fetchall(), key=lambda row: version_key(str(row[0])))
        result = []
        for version, name, checksum, status, error, applied_at, applied_by in rows:
            if status != tracking.APPLIED and status not in tracking.UNFINISHED:
                status = tracking.FAILED
            if status in (tracking.STARTED, tracking.REVERTING):
                error = _interrupted(status, applied_at, applied_by)
            result.append(
                AppliedMigration(
                    version=str(version),
                    name=str(name),
                    state=(
                        MigrationState.APPLIED
                        if status == tracking.APPLIED
                        else MigrationState.FAILED
                    ),
                    checksum=str(checksum),
                    applied_at=applied_at,
                    error=error,
                    applied_by=applied_by,
                    unfinished=status in tracking.UNFINISHED,
                )
            )
        return result

    def resolve(self, request: ResolveRequest) -> Resolution:
        """Its own row, written as a run writes it: `applied` with the file's checksum and
        who marked it, or deleted (pending again)."""
        status, table = request.status, self.table
        if request.applied:
            migration = request.local
            assert migration is not None  # the runner refuses a migration without its file

            def mark(conn: Connection) -> None:
                tracking.create(conn, table)
                tracking.record(
                    conn,
                    table,
                    version=migration.version,
                    name=migration.name,
                    checksum=migration.checksum or "",
                    status=tracking.APPLIED,
                    error=None,
                    context=request.context,
                )

            return Resolution(
                belief=f"wttui's runner will count {request.name} as applied and never run it",
                write=mark,
                how=f"{table}: row {status.version} set to applied",
            )

        def forget(conn: Connection) -> None:
            tracking.delete(conn, table, status.version)

        again = "the next migrate runs it" if request.local else "its file is not here"
        return Resolution(
            belief=f"wttui's runner will count {request.name} as not applied: {again}",
            write=forget,
            how=f"{table}: row {status.version} deleted",
        )

    def executor(self, folder: Path) -> Executor:
        """In-process: `[migrations] apply/rollback` are for tools with a CLI."""
        del folder
        return SqlExecutor(self.table)

    def adopt(self, conn: Connection, context: ApplyContext) -> None:
        """The runner's table names who applied each row: a clone's rows become `context`'s."""
        ident = sql.Identifier(self.table)
        found = conn.execute("SELECT to_regclass(%s)", (ident.as_string(conn),)).fetchone()
        if found is None or found[0] is None:
            return
        conn.execute(
            sql.SQL(
                "UPDATE {} SET applied_by_worktree = %s, applied_by_branch = %s, "
                "applied_by_commit = %s"
            ).format(ident),
            (context.worktree, context.branch, context.commit),
        )


def _interrupted(status: str, at: datetime | None, by: str | None) -> str:
    """What a `started`/`reverting` row says: a run without a transaction that has not finished
    (still running, or stopped part way)."""
    what = "its roll back" if status == tracking.REVERTING else "a run without a transaction"
    when = f" at {at.astimezone():%Y-%m-%d %H:%M:%S}" if at else ""
    who = f" by {by}" if by else ""
    return (
        f"{what} started{when}{who} and did not finish (still running, or stopped part way): "
        "part of it may be in the database"
    )
