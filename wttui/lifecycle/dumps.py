"""Dumps for snapshots: the right `pg_dump`/`pg_restore` for the server, and filling a work
database from a snapshot (a template copy, or a restore of its dump)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from wttui.core.logsink import CancelToken, LogSink
from wttui.errors import InvalidInput
from wttui.lifecycle.clone import choose, copy_database
from wttui.providers import pg_tools
from wttui.providers.pg_copies import DatabaseCopies
from wttui.providers.postgres import PostgresProvider

if TYPE_CHECKING:
    from wttui.lifecycle.snapshots import Snapshot


def server_major(url: str) -> int:
    return DatabaseCopies(PostgresProvider(url)).version_num() // 10000


def dump_database(
    url: str, path: Path, *, schema: str | None, sink: LogSink, cancel: CancelToken
) -> tuple[pg_tools.PgTool, int]:
    """`pg_dump -Fc` of the database at `url` (or one schema) into `path`, by a `pg_dump` of
    the server's major version; the tool used and the file's size.

    Raises:
        InvalidInput, ToolTooOld: no suitable `pg_dump` (with what to install).
        WttuiError: the dump failed (no file is left).
    """
    major = server_major(url)
    tool = pg_tools.find_tool("pg_dump", major)
    sink.line(f"Using {tool.label} for PostgreSQL {major}")
    size = pg_tools.dump(tool, url, path, schema=schema, sink=sink, cancel=cancel)
    return tool, size


def restore_dump(url: str, path: Path, *, sink: LogSink, cancel: CancelToken) -> None:
    """`pg_restore` of `path` into the database at `url`, in one transaction."""
    if not path.is_file():
        raise InvalidInput(f"The snapshot's dump {path} is missing")
    tool = pg_tools.find_tool("pg_restore", server_major(url))
    pg_tools.restore(tool, url, path, sink=sink, cancel=cancel)


def fill_from_snapshot(
    admin_url: str,
    work: str,
    snapshot: Snapshot,
    *,
    clone_method: str,
    sink: LogSink,
    cancel: CancelToken,
) -> None:
    """Make database `work` on the server of `admin_url` hold `snapshot` (dropped again if
    that fails)."""
    provider = PostgresProvider(admin_url)
    copies = DatabaseCopies(provider)
    copies.drop(work, force=True)  # left by a restore that died half way
    if snapshot.method == "template":
        method = choose(copies, snapshot.size_bytes, clone_method)
        sink.line(f"Copying {snapshot.database} with {method.words}")
        copy_database(copies, snapshot.database, work, method, sink=sink, cancel=cancel)
        return
    provider.create_database(work, template="template0")
    try:
        restore_dump(provider.url_for(work), Path(snapshot.file), sink=sink, cancel=cancel)
    except BaseException:
        provider.drop_database(work, force=True)
        raise
