"""Who has a migration that is applied here but not in this worktree's folder (F32).

The seed's "Known Schema Drift" table, computed: for each migration applied elsewhere, the other
worktrees whose folder has it and the branches without a worktree whose tree has it (listed by
the tool's own adapter through git, nothing checked out), by the same identity status uses. A
row the tool's table keeps without a name (Drizzle 0.x stores only the journal's `when`) gets the
name a holder gives it (the journal's tag). Pure: the caller lists the migrations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from wttui.core.models import MigrationState, WorktreeView


def name_owners(
    views: list[WorktreeView], branch_migrations: Mapping[str, Mapping[str, str]]
) -> list[WorktreeView]:
    """`views` with each applied-elsewhere migration's `found_in` naming where it lives (and its
    name, where its row had none). `branch_migrations`: identity → name of each branch without
    a worktree."""
    local = {
        view.worktree.label: {m.version: m.name for m in view.migrations if m.file is not None}
        for view in views
    }
    result = []
    for view in views:
        if not any(s.state is MigrationState.APPLIED_ELSEWHERE for s in view.migrations):
            result.append(view)
            continue
        changed = []
        for status in view.migrations:
            if status.state is MigrationState.APPLIED_ELSEWHERE:
                holders = {
                    label: found[status.version]
                    for label, found in local.items()
                    if label != view.worktree.label and status.version in found
                }
                holders.update(
                    (branch, found[status.version])
                    for branch, found in branch_migrations.items()
                    if branch not in local and status.version in found
                )
                name = status.name or next((n for n in holders.values() if n), "")
                status = replace(status, found_in=tuple(holders), name=name)
            changed.append(status)
        migrations = tuple(changed)
        result.append(
            view if migrations == view.migrations else replace(view, migrations=migrations)
        )
    return result
