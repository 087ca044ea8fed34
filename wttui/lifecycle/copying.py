"""Copying one worktree's data into another's (F23): `create --from`, `clone`, restore.

- database strategy: `CREATE DATABASE … TEMPLATE` with the measured method when the source is
  idle; with sessions open on it (PostgreSQL cannot copy a database in use) `pg_dump |
  pg_restore`, which can, and the log says why;
- container strategy: each container is its own server: `pg_dump | pg_restore` streamed from
  one container into the other, by tools of the source server's version;
- schema strategy: a schema cannot be copied under another name by PostgreSQL or pg_restore, so
  it goes through a scratch database: restored there, renamed, and restored into the project's
  database under its new name. The scratch database is dropped whatever happens.
"""

from __future__ import annotations

from psycopg import sql

from wttui.core.lifecycle_names import work_name
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DbTarget
from wttui.errors import DatabaseInUse
from wttui.lifecycle.clone import DUMP, Method, choose, copy_database
from wttui.migrations import owners
from wttui.providers import pg_tools
from wttui.providers.pg_copies import DatabaseCopies
from wttui.providers.postgres import PostgresProvider


def _admin(target: DbTarget, admin_url: str) -> str:
    """The maintenance URL of the server holding `target` (a container is its own)."""
    return target.admin if target.container else admin_url


def _tools(source_url: str, dest_url: str) -> tuple[pg_tools.PgTool, pg_tools.PgTool]:
    src_major = DatabaseCopies(PostgresProvider(source_url)).version_num() // 10000
    dst_major = DatabaseCopies(PostgresProvider(dest_url)).version_num() // 10000
    dump_tool = pg_tools.find_tool("pg_dump", src_major)
    restore_tool = pg_tools.find_tool("pg_restore", max(dump_tool.major, dst_major))
    return dump_tool, restore_tool


def copy_database_of(
    source: DbTarget,
    dest: DbTarget,
    dest_name: str,
    *,
    admin_url: str,
    clone_method: str,
    sink: LogSink,
    cancel: CancelToken,
) -> Method:
    """Copy `source`'s database into a new database `dest_name` on `dest`'s server (database
    and container strategies); the method used.

    Raises:
        WttuiError: the copy failed (nothing is left of `dest_name`).
        InvalidInput, ToolTooOld: no `pg_dump`/`pg_restore` of the right version.
    """
    if source.container is None and dest.container is None:
        copies = DatabaseCopies(PostgresProvider(admin_url))
        sessions = copies.provider.sessions(source.name)
        info = copies.provider.get_database(source.name)
        if sessions:
            method = Method("dump", reason=f"{len(sessions)} session(s) open on {source.name}")
        else:
            method = choose(copies, (info.size_bytes or 0) if info else 0, clone_method)
        sink.step(f"Copying {source.label} into {dest_name} with {method.words}")
        try:
            seconds = copy_database(
                copies, source.name, dest_name, method, sink=sink, cancel=cancel
            )
        except DatabaseInUse as exc:  # a session opened since: a dump does not mind it
            method = Method("dump", reason=exc.message)
            sink.line(f"{exc.message}: copying with pg_dump | pg_restore instead", stream="warn")
            seconds = copy_database(
                copies, source.name, dest_name, method, sink=sink, cancel=cancel
            )
        sink.line(f"Copied in {seconds:.2f} s")
        return method
    dest_admin = PostgresProvider(_admin(dest, admin_url))
    dump_tool, restore_tool = _tools(source.url, dest_admin.admin_url)
    sink.step(
        f"Copying {source.label} into {dest.container}/{dest_name} with pg_dump | pg_restore "
        f"({dump_tool.label})"
    )
    if not dest_admin.database_exists(dest_name):
        dest_admin.create_database(dest_name, template="template0")
    try:
        size = pg_tools.stream_copy(
            dump_tool,
            restore_tool,
            source.url,
            dest_admin.url_for(dest_name),
            sink=sink,
            cancel=cancel,
        )
    except BaseException:
        dest_admin.drop_database(dest_name, force=True)
        raise
    sink.line(f"Copied {size >> 10} KiB")
    return DUMP


def copy_schema_of(
    source: DbTarget,
    dest_schema: str,
    *,
    admin_url: str,
    sink: LogSink,
    cancel: CancelToken,
) -> None:
    """Copy `source`'s schema into a new schema `dest_schema` of the same database, through a
    scratch database (see the module docstring).

    Raises:
        WttuiError: the copy failed (the scratch database is dropped; `dest_schema` not made).
    """
    assert source.schema is not None
    provider = PostgresProvider(admin_url)
    scratch = work_name("schema", dest_schema)
    dump_tool, restore_tool = _tools(admin_url, admin_url)
    sink.step(f"Copying schema {source.label} into {source.name}.{dest_schema}")
    provider.drop_database(scratch, force=True)
    provider.create_database(scratch, template="template0")
    try:
        pg_tools.stream_copy(
            dump_tool,
            restore_tool,
            provider.url_for(source.name),
            provider.url_for(scratch),
            schema=source.schema,
            sink=sink,
            cancel=cancel,
        )
        with provider.connect(scratch, autocommit=True) as conn:
            conn.execute(
                sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                    sql.Identifier(source.schema), sql.Identifier(dest_schema)
                )
            )
        pg_tools.stream_copy(
            dump_tool,
            restore_tool,
            provider.url_for(scratch),
            provider.url_for(source.name),
            schema=dest_schema,
            sink=sink,
            cancel=cancel,
        )
        with provider.connect(source.name, autocommit=True) as conn:
            owners.copy_scope(conn, source.schema, dest_schema)  # who applied what, copied too
    finally:
        provider.drop_database(scratch, force=True)
