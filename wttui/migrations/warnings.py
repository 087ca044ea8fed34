"""What a status read says besides the states: a known tool's state table that the tool in force
doesn't read, and tracking rows deleted by hand. Both read only (the caller's session is
read-only), and both are sentences for the Migrations pane, `status --json` and `doctor`.

- **A state table nobody reads.** A monorepo whose tool was not detected shows "0 applied,
  0 pending" over a database with 163 applied Prisma migrations: the counts are of the wrong
  tool. Every known tool's state table is looked for in one query; one that exists and is not
  the tool in force's is reported with its row count.
- **A tracking row deleted by hand** (seed 2, rule 3: "never delete migrations from
  `_prisma_migrations` manually"). wttui's side table remembers what it saw applied; a migration
  it remembers whose row is gone from the tool's table will be applied again by the tool.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from psycopg import sql

from wttui.core.ages import short_age
from wttui.core.models import MigrationWarning
from wttui.migrations.adapter import Adapter, AppliedMigration, Connection, LocalMigration
from wttui.migrations.merge import applied_versions, label
from wttui.migrations.owners import Owner

_EXISTING = """
SELECT name FROM unnest(%s::text[]) AS t(name)
WHERE to_regclass(CASE WHEN strpos(name, '.') > 0
                       THEN quote_ident(split_part(name, '.', 1)) || '.'
                            || quote_ident(split_part(name, '.', 2))
                       ELSE quote_ident(name) END) IS NOT NULL
"""


def _table(name: str) -> sql.Identifier:
    return sql.Identifier(*name.split(".", 1))


def untracked_tables(
    conn: Connection, adapter: Adapter, others: Sequence[Adapter], *, detected: bool
) -> list[MigrationWarning]:
    """Each known tool's state table in this database that `adapter` (the tool in force) does
    not read, with its row count. `detected`: a file decided the tool (else nothing did)."""
    tools: dict[str, list[str]] = {}
    for other in others:
        if other.state_table and other.state_table != adapter.state_table:
            tools.setdefault(other.state_table, []).append(other.name)
    if not tools:
        return []
    found = [row[0] for row in conn.execute(_EXISTING, (list(tools),)).fetchall()]
    why = "" if detected else " (no tool's files were found in this worktree)"
    warnings = []
    for table in sorted(found):
        count_row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(_table(table))
        ).fetchone()
        rows = int(count_row[0]) if count_row else 0
        names = sorted(tools[table])
        owner = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" or {names[-1]}"
        setting = f'tool = "{names[0]}"' if len(names) == 1 else "tool to it"
        warnings.append(
            MigrationWarning(
                kind="untracked_state_table",
                message=(
                    f"The database holds `{table}` (the state table of {owner}, {rows} row"
                    f"{'' if rows == 1 else 's'}), but this worktree's migrations are read as "
                    f"{adapter.name}'s{why}: the counts shown say nothing about those migrations"
                ),
                hint=(
                    f"if this worktree uses {owner}, set [migrations] {setting} and dir to "
                    "its migrations folder"
                ),
                short=f"unread `{table}` ({rows} rows) of {owner}",
            )
        )
    return warnings


def rows_gone(
    adapter: Adapter,
    local: Iterable[LocalMigration],
    rows: Sequence[AppliedMigration],
    completed: Sequence[AppliedMigration],
    known: Mapping[str, Owner],
    *,
    now: datetime | None = None,
) -> list[MigrationWarning]:
    """A warning for each migration wttui's side table remembers as applied whose row is gone
    from the tool's table (`rows` as read, `completed` as the runner completes them)."""
    present = applied_versions(list(rows)) | applied_versions(list(completed))
    names = {m.version: m.name for m in local}
    table = f"`{adapter.state_table}`" if adapter.state_table else f"{adapter.name}'s state table"
    moment = now or datetime.now(UTC)
    warnings = []
    for version, owner in sorted(known.items(), key=lambda item: adapter.order_key(item[0])):
        if version in present:
            continue
        ago = f"{short_age(moment - owner.recorded_at)} ago"
        who = f"by {owner.label}, {ago}" if owner.by_wttui and owner.label else f"seen {ago}"
        here = version in names
        then = f": {adapter.name} will apply it again" if here else " (its file is not here)"
        warnings.append(
            MigrationWarning(
                kind="row_gone",
                version=version,
                message=(
                    f"`{label(version, names.get(version, ''))}` was applied ({who}) and its row "
                    f"is gone from {table}{then}"
                ),
                hint=(
                    "if its changes are still in the database, record it as applied with the "
                    "tool's own command instead of running it again"
                ),
                short=f"row deleted by hand: {label(version, names.get(version, ''))}",
            )
        )
    return warnings


def other_tools(also: Sequence[str], tool: str, source: str) -> list[MigrationWarning]:
    """More than one tool in the worktree: which one wttui took, and the others."""
    if not also:
        return []
    return [
        MigrationWarning(
            kind="other_tools",
            message=f"Using {tool} ({source}); also found {'; '.join(also)}",
            hint="set [migrations] tool and dir to choose",
            short=f"also found {'; '.join(also)}",
        )
    ]
