"""The seed's "Known Schema Drift" table, computed: every migration the main branch lacks —
added by a branch, or applied in a worktree's database — with its owner, where it stands, and
the tables it adds or changes (from its parsed SQL; "not parsed" for code migrations).

Seed 2 keeps this table by hand and pastes it weekly ("Migrations in Database but NOT in Epic 5
folder … Tables Added … Owner … Status"); `wttui drift --format md [--since DATE]` prints it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from wttui.core.models import MigrationState, WorktreeView
from wttui.core.versions import leading_digits, migration_label, version_key
from wttui.drift.report import BranchMigration, DriftMigration, Key, OutOfOrder, TableConflict
from wttui.drift.sql_changes import TableChanges, parsed_changes

_IN_DATABASE = (MigrationState.APPLIED, MigrationState.MODIFIED, MigrationState.APPLIED_ELSEWHERE)


@dataclass
class _Row:
    version: str
    name: str
    branches: list[str] = field(default_factory=list)
    sql: str | None = None
    has_file: bool = False
    applied_in: list[str] = field(default_factory=list)
    pending_in: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    applied_at: list[datetime] = field(default_factory=list)


def date_of(version: str, name: str = "") -> date | None:
    """The date a migration's identity carries: a `YYYYMMDDHHMMSS` timestamp, or milliseconds
    since 1970 (Drizzle's `when`, node-pg-migrate's names)."""
    digits = leading_digits(version) or leading_digits(name)
    try:
        if len(digits) == 14:
            return datetime.strptime(digits[:8], "%Y%m%d").replace(tzinfo=UTC).date()
        if len(digits) == 13:
            return datetime.fromtimestamp(int(digits) / 1000, UTC).date()
    except ValueError:
        return None
    return None


def _words(row: _Row, changes: TableChanges | None, late: bool, conflicts: list[str]) -> str:
    parts = []
    if row.applied_in:
        parts.append("applied in " + ", ".join(row.applied_in))
    if row.pending_in:
        parts.append("pending in " + ", ".join(row.pending_in))
    if not parts:
        parts.append("not applied anywhere")
    if not row.branches:
        parts.append("on no branch")
    if late:
        parts.append("older than the main branch's newest")
    if conflicts:
        parts.append("⚠ changes the same tables as " + ", ".join(conflicts))
    elif changes is not None:
        parts.append("no other branch changes its tables")
    return "; ".join(parts)


def known_drift(
    main_keys: set[Key],
    new: dict[str, list[BranchMigration]],
    views: Sequence[WorktreeView],
    conflicts: Sequence[TableConflict],
    late: Sequence[OutOfOrder],
) -> tuple[DriftMigration, ...]:
    """One `DriftMigration` per migration the main branch lacks."""
    main_versions = {version for version, _ in main_keys}
    rows: dict[Key, _Row] = {}
    by_version: dict[str, Key] = {}
    for branch, found in sorted(new.items()):
        for m in found:
            row = rows.setdefault(m.key, _Row(m.version, m.name))
            row.branches.append(branch)
            row.has_file = True
            row.sql = row.sql if row.sql is not None else m.sql
            by_version.setdefault(m.version, m.key)
    for view in views:
        where = view.target.label if view.target else view.worktree.label
        for status in view.migrations:
            key = (status.version, status.name)
            if not status.name:
                if status.version in main_versions:
                    continue
                key = by_version.get(status.version, key)
            if key in main_keys:
                continue
            row = rows.setdefault(key, _Row(*key))
            column = row.applied_in if status.state in _IN_DATABASE else row.pending_in
            if where not in column:
                column.append(where)
            if status.applied_by and status.applied_by not in row.owners:
                row.owners.append(status.applied_by)
            if status.applied_at is not None:
                row.applied_at.append(status.applied_at)
    late_keys = {(o.version, o.name) for o in late}
    result = []
    for key, row in sorted(rows.items(), key=lambda item: (version_key(item[0][0]), item[0])):
        parsed = parsed_changes(row.sql) if row.has_file else None
        tables = parsed.tables if parsed is not None else set()
        others = sorted(
            {
                other
                for c in conflicts
                if set(c.tables) & tables
                for branch in row.branches
                if branch in c.branches
                for other in c.branches
                if other != branch
            }
        )
        day = date_of(row.version, row.name)
        if day is None and row.applied_at:
            day = min(row.applied_at).date()
        result.append(
            DriftMigration(
                version=row.version,
                name=row.name,
                label=migration_label(row.version, row.name),
                owner=", ".join(row.owners) or ", ".join(row.branches),
                status=_words(row, parsed, key in late_keys, others),
                branches=tuple(row.branches),
                applied_in=tuple(row.applied_in),
                pending_in=tuple(row.pending_in),
                added=tuple(sorted(parsed.added)) if parsed else (),
                changed=tuple(sorted(parsed.changed)) if parsed else (),
                parsed=(parsed is not None) if row.has_file else None,
                out_of_order=key in late_keys,
                conflicts_with=tuple(others),
                date=day.isoformat() if day else None,
            )
        )
    return tuple(result)
