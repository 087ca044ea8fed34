"""The one merge: a worktree's folder and a tool's state table (plus wttui's side table of
owners and checksums) into one `MigrationStatus` per migration, for every tool alike."""

from __future__ import annotations

from collections.abc import Callable

from wttui.core.models import MigrationState, MigrationStatus
from wttui.migrations import owners
from wttui.migrations.adapter import (
    AppliedMigration,
    LocalMigration,
    exact_checksum,
    version_key,
)

APPLIED_STATES = frozenset(
    (MigrationState.APPLIED, MigrationState.MODIFIED, MigrationState.APPLIED_ELSEWHERE)
)
"""States of a migration that is in the database (what a rollback reverts)."""


def label(status: MigrationStatus) -> str:
    """`001_users` for tools that name a version apart from its name, else the identity."""
    if not status.name or status.name in status.version:
        return status.version
    return f"{status.version}_{status.name}"


def applied_versions(rows: list[AppliedMigration]) -> set[str]:
    """The versions whose latest row says applied."""
    latest = {row.version: row for row in rows}  # rows come oldest first: the last one counts
    return {v for v, row in latest.items() if row.state is MigrationState.APPLIED}


def merge(
    local: list[LocalMigration],
    rows: list[AppliedMigration],
    known: dict[str, owners.Owner],
    *,
    has_down: bool,
    same: Callable[[LocalMigration, str], bool] = exact_checksum,
    graph: bool = False,
) -> tuple[MigrationStatus, ...]:
    """One status per migration in the folder or the table, in version order (a graph tool:
    in its own order, database-only ones last)."""
    by_local = {m.version: m for m in local}
    latest: dict[str, AppliedMigration] = {}
    first: dict[str, AppliedMigration] = {}
    for entry in rows:
        latest[entry.version] = entry
        first.setdefault(entry.version, entry)
    newest_applied = max(
        (version_key(v) for v, r in latest.items() if r.state is MigrationState.APPLIED),
        default=None,
    )
    statuses = []
    if graph:  # revision ids are no versions: the tool's own order, no out-of-order
        newest_applied = None
        position = {m.version: i for i, m in enumerate(local)}
        order = sorted(set(by_local) | set(latest), key=lambda v: (position.get(v, len(local)), v))
    else:
        order = sorted(set(by_local) | set(latest), key=version_key)
    for version in order:
        migration, row, owner = by_local.get(version), latest.get(version), known.get(version)
        state = _state(migration, row, first.get(version), owner, same)
        out_of_order = (
            state is MigrationState.PENDING
            and newest_applied is not None
            and version_key(version) < newest_applied
        )
        statuses.append(
            MigrationStatus(
                version=version,
                name=(migration.name if migration else row.name if row else ""),
                state=state,
                file=migration.file if migration else None,
                applied_at=row.applied_at if row else None,
                applied_by=owner.label if owner else row.applied_by if row else None,
                error=row.error if row and state is MigrationState.FAILED else None,
                has_down=has_down and (migration is None or migration.has_down),
                out_of_order=out_of_order,
                unfinished=bool(row and state is MigrationState.FAILED and row.unfinished),
            )
        )
    return tuple(statuses)


def _state(
    migration: LocalMigration | None,
    row: AppliedMigration | None,
    first_row: AppliedMigration | None,
    owner: owners.Owner | None,
    same: Callable[[LocalMigration, str], bool],
) -> MigrationState:
    if row is None:
        return MigrationState.PENDING
    if row.state is MigrationState.FAILED:
        return MigrationState.FAILED
    if row.state is MigrationState.ROLLED_BACK:  # here or not: no longer in the database
        return MigrationState.ROLLED_BACK
    if migration is None:
        return MigrationState.APPLIED_ELSEWHERE
    stored = (first_row or row).checksum
    if migration.checksum is not None and stored is not None:
        same_file = same(migration, stored)
        return MigrationState.APPLIED if same_file else MigrationState.MODIFIED
    if owner is not None and owner.checksum is not None:
        current = owners.file_checksum(migration.file)
        return MigrationState.APPLIED if current == owner.checksum else MigrationState.MODIFIED
    return MigrationState.APPLIED
