"""`pg_dump` and `pg_restore`: the right version found, run with progress, cancellable.

A dump must be made by a `pg_dump` at least as new as the server (an older one refuses, or
worse, misses objects), and restored by a `pg_restore` at least as new as the `pg_dump` that
made it. `find_tool` looks on PATH, in `/usr/lib/postgresql/*/bin` (Debian keeps one per major)
and in the embedded cluster's binaries, and prefers the same major as the server, then the
newest newer one; an older one only is refused with the package to install.

Passwords never reach a command line (`ps` shows it): the URL given to the tool has none, and
`PGPASSWORD` carries it. A dump is written to a temporary file beside its destination and
renamed into place when complete; a failed, cancelled or disk-full dump leaves no file.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psycopg
from psycopg.conninfo import make_conninfo

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.urls import mask_secrets, url_parts, url_secrets
from wttui.errors import Cancelled, InvalidInput, WttuiError
from wttui.providers import pg_progress

CHUNK = 1 << 20
PROGRESS_EVERY = 64 << 20
"""Bytes between two progress lines while streaming a dump."""
REPORT_SECONDS = 0.25
"""How often a restore fed by wttui reports how much of its file it has read."""
_RUNS = itertools.count(1)

_VERSION = re.compile(r"(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class PgTool:
    """One `pg_dump`/`pg_restore` binary and its version."""

    name: str
    path: Path
    major: int
    version: str

    @property
    def label(self) -> str:
        return f"{self.name} {self.version} ({self.path})"


class ToolTooOld(InvalidInput):
    """Only a `pg_dump`/`pg_restore` older than the server is installed."""


def _version(path: Path) -> tuple[int, str] | None:
    try:
        out = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except OSError:
        return None
    found = _VERSION.search(out.rsplit(")", 1)[-1]) or _VERSION.search(out)
    if not found:
        return None
    return int(found.group(1)), found.group(0)


def _candidates(name: str, extra_dirs: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    on_path = shutil.which(name)
    if on_path:
        found.append(Path(on_path).resolve())
    for folder in [*extra_dirs, *sorted(Path("/usr/lib/postgresql").glob("*/bin"))]:
        path = (folder / name).resolve()
        if path.is_file() and path not in found:
            found.append(path)
    return found


def install_hint(major: int) -> str:
    return (
        f"install the PostgreSQL {major} client tools (Debian/Ubuntu: apt-get install "
        f"postgresql-client-{major}; macOS: brew install postgresql@{major}) and put them on PATH"
    )


def find_tool(name: str, server_major: int, extra_dirs: Sequence[Path] = ()) -> PgTool:
    """The `name` binary (`pg_dump`, `pg_restore`) to use against a server of `server_major`.

    Raises:
        InvalidInput: none is installed (with the package to install).
        ToolTooOld: only older ones are (with the package to install).
    """
    tools = []
    for path in _candidates(name, extra_dirs):
        version = _version(path)
        if version is not None:
            tools.append(PgTool(name, path, version[0], version[1]))
    usable = [tool for tool in tools if tool.major >= server_major]
    if usable:
        same = [tool for tool in usable if tool.major == server_major]
        return same[0] if same else max(usable, key=lambda tool: tool.major)
    if tools:
        newest = max(tools, key=lambda tool: tool.major)
        raise ToolTooOld(
            f"{newest.label} is older than the server (PostgreSQL {server_major}): it cannot "
            "read that server's databases safely",
            hint=install_hint(server_major),
        )
    raise InvalidInput(f"{name} is not installed", hint=install_hint(server_major))


def _tool_env(url: str) -> tuple[str, dict[str, str]]:
    """Connection words without the password (libpq `key=value`; a `?schema=` query, which
    libpq would refuse, is left out), and the environment that carries the password."""
    parts = url_parts(url)
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if parts["password"]:
        env["PGPASSWORD"] = parts["password"]
    words = {
        "host": parts["host"] or "localhost",
        "port": parts["port"],
        "user": parts["user"],
        "dbname": parts["database"],
    }
    return make_conninfo(**{key: value for key, value in words.items() if value}), env


def _fail(tool: PgTool, stderr: str, url: str) -> WttuiError:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    reason = mask_secrets(lines[-1] if lines else "no output", url_secrets(url))
    return WttuiError(f"{tool.name} failed: {reason}")


def _reads_measured(
    url: str, env: dict[str, str], schema: str | None, sink: LogSink
) -> pg_progress.Poller:
    """Name the `pg_dump` about to run with `env` (its `application_name`) and measure the
    table data it reads from the database at `url` (`pg_progress.dump_reads`)."""
    name = f"wttui pg_dump {os.getpid()}-{next(_RUNS)}"
    env["PGAPPNAME"] = name
    bare, _ = _tool_env(url)
    password = url_parts(url)["password"] or None

    def connect() -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            bare,
            password=password,
            autocommit=True,
            connect_timeout=5,
            application_name=pg_progress.APPLICATION,
        )

    return pg_progress.Poller(connect, pg_progress.dump_reads(name, schema), sink, "pg_dump")


def dump(
    tool: PgTool,
    url: str,
    destination: Path,
    *,
    schema: str | None = None,
    sink: LogSink,
    cancel: CancelToken,
) -> int:
    """`pg_dump -Fc` of the database at `url` (only `schema` when given) into `destination`;
    returns its size. Written to a temporary file first: on any failure (disk full, cancel)
    nothing is left behind.

    Raises:
        WttuiError: pg_dump failed or the file could not be written (its reason).
        Cancelled: cancelled while it ran.
    """
    bare, env = _tool_env(url)
    partial = destination.with_name(destination.name + ".partial")
    argv = [str(tool.path), "-Fc", "--no-owner", "-d", bare]
    if schema:
        argv += ["-n", schema]
    try:
        with partial.open("wb") as out, _reads_measured(url, env, schema, sink):
            size = _pump(argv, env, out, sink=sink, cancel=cancel, tool=tool, url=url)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(destination)
        return size
    except OSError as exc:
        raise WttuiError(
            f"Cannot write the dump {destination}: {exc.strerror}",
            hint="free some disk space (`wttui snapshot --delete`, `wttui trash purge`)",
        ) from None
    finally:
        partial.unlink(missing_ok=True)


def _pump(
    argv: list[str],
    env: dict[str, str],
    out: object,
    *,
    sink: LogSink,
    cancel: CancelToken,
    tool: PgTool,
    url: str,
) -> int:
    """Run `argv`, copying its stdout into `out` with progress lines; its size."""
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    errors: list[bytes] = []
    reader = threading.Thread(
        target=lambda: errors.append(child.stderr.read() if child.stderr else b"")
    )
    reader.start()
    unregister = cancel.on_cancel(child.terminate)
    total, shown = 0, 0
    try:
        assert child.stdout is not None
        while chunk := child.stdout.read(CHUNK):
            out.write(chunk)  # type: ignore[attr-defined]
            total += len(chunk)
            if total - shown >= PROGRESS_EVERY:
                shown = total
                sink.line(f"{tool.name}: {total >> 20} MiB")
    except OSError:
        child.kill()
        raise
    finally:
        status = child.wait()
        reader.join()
        unregister()
    if cancel.cancelled:
        raise Cancelled(f"Cancelled {tool.name}")
    if status:
        raise _fail(tool, b"".join(errors).decode(errors="replace"), url)
    return total


def restore(tool: PgTool, url: str, source: Path, *, sink: LogSink, cancel: CancelToken) -> None:
    """`pg_restore` of `source` into the (empty) database at `url`, in one transaction.

    Raises:
        WttuiError: pg_restore failed (its last line).
        Cancelled: cancelled while it ran.
    """
    bare, env = _tool_env(url)
    argv = [str(tool.path), "--no-owner", "--exit-on-error", "--single-transaction", "-d", bare]
    sink.line(f"{tool.name}: restoring {source.name}")
    # Fed through its standard input (a custom-format archive restores in order from a pipe),
    # so how much of the file it has read is known: the progress of the restore's data.
    with _fed_child(argv, env, cancel) as (child, errors):
        assert child.stdin is not None
        _feed(source, child.stdin, sink, tool.name)
        status = child.wait()
    if cancel.cancelled:
        raise Cancelled(f"Cancelled {tool.name}")
    if status:
        raise _fail(tool, b"".join(errors).decode(errors="replace"), url)


@contextlib.contextmanager
def _fed_child(
    argv: list[str], env: dict[str, str], cancel: CancelToken
) -> Iterator[tuple[subprocess.Popen[bytes], list[bytes]]]:
    """A child wttui writes the standard input of (`pg_restore` fed a file or a dump): its
    stderr gathered in a thread, a cancel terminating it, killed when the body fails."""
    child = subprocess.Popen(
        argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    errors: list[bytes] = []
    reader = threading.Thread(
        target=lambda: errors.append(child.stderr.read() if child.stderr else b"")
    )
    reader.start()
    unregister = cancel.on_cancel(child.terminate)
    try:
        yield child, errors
    except BaseException:
        child.kill()
        child.wait()
        raise
    finally:
        reader.join()
        unregister()


def _feed(source: Path, into: IO[bytes], sink: LogSink, label: str) -> None:
    """Copy the file `source` into a child's standard input (then close it), reporting the
    bytes written against the file's size. A child that stopped reading (it failed, or was
    cancelled) ends the copy: its own exit says why."""
    total = source.stat().st_size
    fed, reported = 0, 0.0
    try:
        with source.open("rb") as file:
            while chunk := file.read(CHUNK):
                into.write(chunk)
                fed += len(chunk)
                if time.monotonic() - reported >= REPORT_SECONDS:
                    reported = time.monotonic()
                    sink.progress(fed, total, label)
    except BrokenPipeError:
        pass
    finally:
        with contextlib.suppress(OSError):
            into.close()
        if reported:
            sink.progress(0, None, label)


def stream_copy(
    dump_tool: PgTool,
    restore_tool: PgTool,
    source_url: str,
    dest_url: str,
    *,
    schema: str | None = None,
    sink: LogSink,
    cancel: CancelToken,
) -> int:
    """`pg_dump -Fc SOURCE | pg_restore -d DEST`, streamed through wttui (progress lines);
    the bytes that went through.

    Raises:
        WttuiError: either side failed (its last line).
        Cancelled: cancelled while it ran (both are stopped).
    """
    bare_src, env_src = _tool_env(source_url)
    bare_dst, env_dst = _tool_env(dest_url)
    dump_argv = [str(dump_tool.path), "-Fc", "--no-owner", "-d", bare_src]
    if schema:
        dump_argv += ["-n", schema]
    restore_argv = [str(restore_tool.path), "--no-owner", "--exit-on-error", "-d", bare_dst]
    with _fed_child(restore_argv, env_dst, cancel) as (restorer, restore_errors):
        assert restorer.stdin is not None
        try:
            with _reads_measured(source_url, env_src, schema, sink):
                total = _pump(
                    dump_argv,
                    env_src,
                    restorer.stdin,
                    sink=sink,
                    cancel=cancel,
                    tool=dump_tool,
                    url=source_url,
                )
        except OSError:  # the restore side went away: its own error says why
            total = 0
        finally:
            with contextlib.suppress(OSError):
                restorer.stdin.close()
        status = restorer.wait()
    if cancel.cancelled:
        raise Cancelled("Cancelled the copy")
    if status:
        raise _fail(restore_tool, b"".join(restore_errors).decode(errors="replace"), dest_url)
    return total
