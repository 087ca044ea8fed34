"""The emergency rebuild's two hard parts (F37, seed 2 appendix B, steps 3.2 and 3.3).

Migrating a new database *up to* a migration: the worktree's tool runs on a temporary copy of
its folder holding only the migrations up to it (`$WTTUI_MIGRATIONS_DIR` names the folder for
tools whose command uses it; wttui's own runner reads it in-process), so the tool, its tracking
table and wttui's side table are exactly what that tool writes.

Copying the data across: for every table in both databases, in foreign-key order (referenced
tables first), the rows are streamed with `COPY` — unless the columns differ (listed with the
difference) or the rebuild's migrations already filled the table (its tracking table, lookup
rows a migration inserted: the new database's own are kept). Sequences then continue where the
old ones stopped. All in one transaction: a failure leaves the new database empty of copies.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

from wttui.core.logsink import CancelToken, LogSink
from wttui.migrations.adapter import ApplyContext, Connection, LocalMigration
from wttui.migrations.commands import CommandExecutor
from wttui.migrations.runner import Runner
from wttui.providers.postgres import PostgresProvider

_TABLES = """
SELECT n.nspname, c.relname,
       array_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'wttui')
   AND n.nspname NOT LIKE 'pg\\_%'
 GROUP BY n.nspname, c.relname
"""
_REFERENCES = """
SELECT cn.nspname, c.relname, rn.nspname, r.relname
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
  JOIN pg_class r ON r.oid = k.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace
 WHERE k.contype = 'f'
"""
_SEQUENCES = """
SELECT schemaname, sequencename, last_value FROM pg_sequences WHERE last_value IS NOT NULL
"""

Table = tuple[str, str]


@dataclass(frozen=True)
class CopyReport:
    copied: tuple[tuple[str, int], ...]
    """`schema.table` and its row count."""
    skipped: tuple[tuple[str, str], ...]
    """`schema.table` and why it was not copied."""


def supports_until(runner: Runner) -> bool:
    """Whether the tool can be stopped at a migration (in-process, or its command reads the
    folder from `$WTTUI_MIGRATIONS_DIR`)."""
    executor = runner.executor
    if not isinstance(executor, CommandExecutor):
        return True
    return "WTTUI_MIGRATIONS_DIR" in " ".join(executor.apply_command)


def _stem(path: Path) -> str:
    return path.name.split(".")[0]


@contextmanager
def folder_until(runner: Runner, upto: Sequence[LocalMigration]) -> Iterator[Path]:
    """A temporary copy of the migrations folder without the migrations after `upto`."""
    later = {_stem(m.file) for m in runner.local()[len(upto) :]}
    with tempfile.TemporaryDirectory(prefix="wttui-rebuild-") as tmp:
        copy = Path(tmp) / runner.folder.name
        shutil.copytree(
            runner.folder,
            copy,
            ignore=lambda _dir, names: [n for n in names if n.split(".")[0] in later],
        )
        yield copy


def apply_until(
    runner: Runner,
    conninfo: str,
    upto: Sequence[LocalMigration],
    *,
    context: ApplyContext,
    sink: LogSink,
    cancel: CancelToken,
) -> int:
    """Apply the worktree's migrations up to the last of `upto` with its own tool."""
    executor = runner.executor
    command = executor.apply_command if isinstance(executor, CommandExecutor) else None
    with folder_until(runner, upto) as folder:
        partial = Runner(runner.adapter, folder, apply=command)
        return partial.apply(conninfo, context=context, sink=sink, cancel=cancel)


def _tables(conn: Connection) -> dict[Table, list[str]]:
    rows = conn.execute(_TABLES).fetchall()
    return {(str(s), str(t)): list(cols) for s, t, cols in rows}


def _order(tables: list[Table], references: list[tuple[str, str, str, str]]) -> list[Table]:
    """Referenced tables before the tables that reference them (cycles: as listed)."""
    needs: dict[Table, set[Table]] = {t: set() for t in tables}
    for cs, ct, rs, rt in references:
        child, parent = (cs, ct), (rs, rt)
        if child in needs and parent in needs and child != parent:
            needs[child].add(parent)
    ordered: list[Table] = []
    while needs:
        ready = sorted(t for t, deps in needs.items() if not deps - set(ordered))
        if not ready:
            ready = sorted(needs)[:1]
        for table in ready:
            ordered.append(table)
            needs.pop(table)
    return ordered


def _ident(table: Table) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(table[0]), sql.Identifier(table[1]))


def copy_data(old_url: str, new_url: str, *, sink: LogSink, cancel: CancelToken) -> CopyReport:
    """Copy the rows of every table both databases have (see the module docstring)."""
    copied: list[tuple[str, int]] = []
    skipped: list[tuple[str, str]] = []
    with (
        PostgresProvider(old_url).connect(autocommit=True) as old,
        PostgresProvider(new_url).connect() as new,
    ):
        old_tables, new_tables = _tables(old), _tables(new)
        references = [
            (str(a), str(b), str(c), str(d)) for a, b, c, d in new.execute(_REFERENCES).fetchall()
        ]
        for table in sorted(set(old_tables) - set(new_tables)):
            skipped.append((".".join(table), "not in the rebuilt database (a later migration)"))
        common = [t for t in old_tables if t in new_tables]
        with new.transaction():
            for table in _order(common, references):
                cancel.check()
                name = ".".join(table)
                if old_tables[table] != new_tables[table]:
                    gone = sorted(set(old_tables[table]) - set(new_tables[table]))
                    added = sorted(set(new_tables[table]) - set(old_tables[table]))
                    skipped.append(
                        (
                            name,
                            f"columns differ (old only: {', '.join(gone) or '-'}; "
                            f"new only: {', '.join(added) or '-'})",
                        )
                    )
                    continue
                has = new.execute(sql.SQL("SELECT EXISTS (SELECT FROM {})").format(_ident(table)))
                if (has.fetchone() or (False,))[0]:
                    skipped.append((name, "filled by the migrations: the rebuilt rows are kept"))
                    continue
                copied.append((name, _copy_table(old, new, table)))
                sink.line(f"Copied {name}: {copied[-1][1]} row(s)")
            _sequences(old, new)
    return CopyReport(tuple(copied), tuple(skipped))


def _copy_table(old: Connection, new: Connection, table: Table) -> int:
    rows = 0
    source = sql.SQL("COPY {} TO STDOUT (FORMAT binary)").format(_ident(table))
    target = sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(_ident(table))
    with old.cursor() as out, new.cursor() as into:
        with out.copy(source) as reader, into.copy(target) as writer:
            for chunk in reader:
                writer.write(chunk)
        counted = into.execute(sql.SQL("SELECT count(*) FROM {}").format(_ident(table)))
        rows = int((counted.fetchone() or (0,))[0])
    return rows


def _sequences(old: Connection, new: Connection) -> None:
    """Sequences in both continue where the old ones stopped."""
    old_values = {(str(s), str(n)): int(v) for s, n, v in old.execute(_SEQUENCES).fetchall()}
    rows = new.execute("SELECT schemaname, sequencename FROM pg_sequences").fetchall()
    present = {(str(s), str(n)) for s, n in rows}
    for key, value in old_values.items():
        if key in present:
            new.execute("SELECT setval(%s::regclass, %s)", (_ident(key).as_string(new), value))
