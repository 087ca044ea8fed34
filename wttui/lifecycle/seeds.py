"""Seeds (F40): SQL files and/or a command that load data after the migrations.

`[seeds] files` are rendered with the worktree's fields (`seeds/{worktree}.sql`), missing ones
skipped (and said so); each file runs in its own transaction, statement by statement (split by
PostgreSQL's own scanner, pglast), so a failure names the file and the line of the statement
that failed, and rolls the whole file back. `[seeds] command` then runs in the worktree with the
database env, its output streamed. A failed seed stops there; running the seed again starts
that file again (its transaction left nothing behind).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from pglast.parser import split

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.naming import sanitize, worktree_slug
from wttui.errors import Cancelled, WttuiError
from wttui.providers.postgres import PostgresProvider


class SeedFailed(WttuiError):
    """A seed file failed; its transaction was rolled back."""


@dataclass(frozen=True)
class SeedFile:
    relative: str
    path: Path
    exists: bool


def seed_files(
    templates: tuple[str, ...], worktree: Path, label: str, project: str
) -> list[SeedFile]:
    """The configured files for the worktree called `label`, rendered, in order."""
    slug = worktree_slug(label)
    found = []
    for template in templates:
        relative = template.format(worktree=slug, branch=slug, project=sanitize(project))
        path = worktree / relative
        found.append(SeedFile(relative, path, path.is_file()))
    return found


def _statements(text: str) -> list[tuple[int, str]]:
    """(offset, statement) pairs; the whole text when it cannot be split."""
    for with_parser in (True, False):
        try:
            slices = split(text, with_parser=with_parser, only_slices=True)
        except Exception:  # noqa: BLE001, S112 - pglast raises its own parse errors: try the scanner
            continue
        return [(s.start, text[s]) for s in slices]
    return [(0, text)]


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def run_file(conninfo: str, seed: SeedFile, *, sink: LogSink, cancel: CancelToken) -> int:
    """Run one seed file in one transaction; the statements it ran.

    Raises:
        SeedFailed: a statement failed (file:line and PostgreSQL's reason; rolled back).
        Cancelled: cancelled while it ran (rolled back).
    """
    text = seed.path.read_text()
    started = time.monotonic()
    statements = _statements(text)
    with PostgresProvider(conninfo).connect() as conn:
        unregister = cancel.on_cancel(conn.cancel_safe)
        offset = 0
        try:
            with conn.transaction():
                for start, statement in statements:
                    cancel.check()
                    offset = start  # where a failure is reported from
                    conn.execute(statement)  # no parameters: the text is the user's own SQL
        except psycopg.errors.QueryCanceled:
            raise Cancelled(f"Cancelled while seeding {seed.relative} (rolled back)") from None
        except psycopg.Error as exc:
            raw = exc.diag.statement_position
            inside = int(raw) - 1 if raw and raw.isdigit() else 0
            where = f"{seed.relative}:{_line(text, offset + inside)}"
            message = (exc.diag.message_primary or str(exc)).strip()
            sink.line(f"{where}: {message}", stream="err")
            raise SeedFailed(
                f"Seed {where} failed: {message}",
                hint="its transaction was rolled back; fix the file and run `wttui seed` again",
            ) from None
        finally:
            unregister()
    sink.line(
        f"Seeded {seed.relative}: {len(statements)} statement(s) "
        f"in {(time.monotonic() - started) * 1000:.0f} ms"
    )
    return len(statements)
