"""How a database is copied: the method is chosen by a measured rule, never assumed (F27).

On one server, `CREATE DATABASE … TEMPLATE` copies a database; PostgreSQL 15 added two
strategies and 18 a third way to copy files:

- `WAL_LOG` (15's default) copies block by block through the WAL: its cost grows with the size,
  but it needs no checkpoint, so it wins for small databases;
- `FILE_COPY` copies the files after a checkpoint: a fixed cost (the checkpoints, which also
  depend on what else the server has dirty) and then a fast copy, so it wins for large ones;
- with PostgreSQL 18's `file_copy_method = clone`, `FILE_COPY` clones files (a reflink on
  XFS/btrfs/APFS, `copy_file_range` on ext4): the fastest large copy, but it still pays
  FILE_COPY's checkpoints, so small databases stay with WAL_LOG.

`LARGE_BYTES` is where FILE_COPY starts to win on this project's measurements (bench/
clone_methods.py; the figures are in README's "Database lifecycle"). Across servers (a
container, another host) only `pg_dump | pg_restore` can copy, streamed with progress.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from wttui.core.logsink import CancelToken, LogSink
from wttui.errors import InvalidInput
from wttui.providers import pg_tools
from wttui.providers.pg_copies import DatabaseCopies

LARGE_BYTES = 256 << 20
"""At and above this size FILE_COPY beats WAL_LOG: on PostgreSQL 15 (ext4, 2 cores) WAL_LOG
took 1.2 s and FILE_COPY 1.7 s at 129 MiB, 3.7 s and 1.7 s at 493 MiB (bench/lifecycle.py)."""


@dataclass(frozen=True)
class Method:
    """A way to copy a database, as the log names it."""

    key: str
    """`clone`, `file_copy`, `wal_log`, `copy` (before PostgreSQL 15), `dump`."""
    strategy: str | None = None
    clone: bool = False
    reason: str = ""

    @property
    def words(self) -> str:
        text = {
            "clone": "STRATEGY FILE_COPY with file_copy_method = clone",
            "file_copy": "STRATEGY FILE_COPY",
            "wal_log": "STRATEGY WAL_LOG",
            "copy": "CREATE DATABASE … TEMPLATE (file copy)",
            "dump": "pg_dump | pg_restore",
        }[self.key]
        return f"{text} ({self.reason})" if self.reason else text


DUMP = Method("dump", reason="across servers")


def choose(copies: DatabaseCopies, size_bytes: int, configured: str = "auto") -> Method:
    """The method for copying a database of `size_bytes` on the server of `copies`.

    Raises:
        InvalidInput: a configured method the server cannot do (`clone` before 18, a strategy
            before 15).
    """
    version = copies.version_num()
    if configured == "dump":
        return Method("dump", reason="[database] clone_method")
    if configured == "clone":
        if not copies.clone_supported():
            raise InvalidInput(
                "[database] clone_method = clone needs PostgreSQL 18 on a platform that can "
                f"clone files; this server is {version // 10000}",
                hint='set [database] clone_method = "auto"',
            )
        return Method("clone", "FILE_COPY", clone=True, reason="configured")
    if configured in ("file_copy", "wal_log"):
        if version < 150000:
            raise InvalidInput(
                f"[database] clone_method = {configured} needs PostgreSQL 15 or later; "
                f"this server is {version // 10000}",
                hint='set [database] clone_method = "auto"',
            )
        return Method(configured, configured.upper(), reason="configured")
    if version < 150000:
        return Method("copy", reason=f"PostgreSQL {version // 10000} has one way")
    size = f"{size_bytes >> 20} MiB"
    if size_bytes < LARGE_BYTES:
        # Below this, FILE_COPY's checkpoints and fsyncs cost more than WAL_LOG's copy, also
        # with `clone` (measured on 18: 0.7 s against 0.3 s at 15 MiB).
        return Method("wal_log", "WAL_LOG", reason=f"{size} < {LARGE_BYTES >> 20} MiB")
    if copies.clone_supported():
        return Method("clone", "FILE_COPY", clone=True, reason=f"{size}, PostgreSQL 18 clones")
    return Method("file_copy", "FILE_COPY", reason=f"{size} ≥ {LARGE_BYTES >> 20} MiB")


def copy_database(
    copies: DatabaseCopies,
    source: str,
    dest: str,
    method: Method,
    *,
    sink: LogSink,
    cancel: CancelToken,
    frozen: bool = False,
) -> float:
    """Copy `source` into a new database `dest` on the same server; the seconds it took.

    Raises:
        DatabaseInUse: `source` has open sessions (named).
        WttuiError: the copy failed (a dump: its tool's reason; nothing is left of `dest`).
    """
    started = time.monotonic()
    if method.key == "dump":
        provider = copies.provider
        major = copies.version_num() // 10000
        dump_tool = pg_tools.find_tool("pg_dump", major)
        restore_tool = pg_tools.find_tool("pg_restore", major)
        provider.create_database(dest, template="template0")
        try:
            pg_tools.stream_copy(
                dump_tool,
                restore_tool,
                provider.url_for(source),
                provider.url_for(dest),
                sink=sink,
                cancel=cancel,
            )
        except BaseException:
            provider.drop_database(dest, force=True)
            raise
    else:
        copies.copy(
            source,
            dest,
            strategy=method.strategy,
            clone=method.clone,
            frozen=frozen,
            progress=sink,
        )
    return time.monotonic() - started
