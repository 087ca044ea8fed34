"""Every branch's migrations, read through git for the drift report (nothing checked out).

File and folder names give each migration's identity (`drift.identify`); the SQL of a
migration is read only where the main branch lacks it, since only those can conflict.
"""

from __future__ import annotations

from dataclasses import replace

from wttui.core.models import RepoSnapshot
from wttui.drift.analysis import (
    BranchMigration,
    DriftReport,
    LintRule,
    analyse,
    identify,
    up_part,
)
from wttui.providers.git import GitProvider


def drift_report(
    git: GitProvider, folder: str, rule: LintRule, snapshot: RepoSnapshot
) -> DriftReport:
    """Every local branch's migrations under `folder` (relative to the repository), read
    through git, analysed against the worktrees' states in `snapshot`."""
    main = next((v.worktree.branch for v in snapshot.views if v.worktree.is_main), None)
    listed = {branch: migrations_at(git, branch, folder) for branch in git.local_branches()}
    on_main = {m.version for m in listed.get(main or "", [])}
    branches = {
        branch: [m if branch == main or m.version in on_main else with_sql(git, m) for m in found]
        for branch, found in listed.items()
    }
    return analyse(main or "", branches, snapshot.views, rule)


def migrations_at(git: GitProvider, branch: str, folder: str) -> list[BranchMigration]:
    """The migrations on `branch` under `folder`, named from their files (no contents)."""
    entries: dict[str, list[str]] = {}
    for path in git.files_at(branch, folder):
        first = path[len(folder) + 1 :].split("/", 1)[0]
        entries.setdefault(first, []).append(path)
    found = []
    for entry, paths in sorted(entries.items()):
        identity = identify(entry)
        if identity is None:
            continue
        script = next((p for p in paths if p.endswith(".sql")), paths[0])
        found.append(BranchMigration(branch, identity[0], identity[1], script))
    return found


def with_sql(git: GitProvider, migration: BranchMigration) -> BranchMigration:
    """`migration` with the up part of its SQL, read from its branch."""
    if not migration.path.endswith(".sql"):
        return migration
    return replace(migration, sql=up_part(git.read_at(migration.branch, migration.path)))
