"""Who has a migration that is applied here but not in this worktree's folder (F32).

The seed's "Known Schema Drift" table, computed: for each migration applied elsewhere, the other
worktrees whose folder has it and the branches without a worktree whose tree has it (read from
git, nothing checked out). Pure: the caller lists the files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import PurePosixPath

from wttui.core.models import MigrationState, WorktreeView
from wttui.core.versions import leading_digits


def versions_in(paths: list[str]) -> set[str]:
    """Every migration identity a list of repository paths can hold, in the forms the tools
    store: each path component and its stem (`20240101_x.sql`, `20240101_x`), its leading digits
    as written and as a number (dbmate `001`; golang-migrate and goose `1`), and Flyway's dotted
    version (`V1_2__x.sql` → `1.2`)."""
    found: set[str] = set()
    for path in paths:
        for part in PurePosixPath(path).parts:
            stem = part.split(".", 1)[0]
            found.update({part, stem})
            if digits := leading_digits(stem):
                found.update({digits, str(int(digits))})
            if part[:1] in "Vv" and "__" in part:
                found.add(part[1:].split("__", 1)[0].replace("_", "."))
    return found


def name_owners(
    views: list[WorktreeView], branch_versions: Mapping[str, set[str]]
) -> list[WorktreeView]:
    """`views` with each applied-elsewhere migration's `found_in` naming where it lives."""
    local = {
        view.worktree.label: {m.version for m in view.migrations if m.file is not None}
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
                holders = [
                    label
                    for label, versions in local.items()
                    if label != view.worktree.label and status.version in versions
                ]
                holders += [
                    branch
                    for branch, versions in branch_versions.items()
                    if branch not in local and status.version in versions
                ]
                status = replace(status, found_in=tuple(holders))
            changed.append(status)
        migrations = tuple(changed)
        result.append(
            view if migrations == view.migrations else replace(view, migrations=migrations)
        )
    return result
