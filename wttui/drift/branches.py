"""Every branch's migrations, read through git for the drift report (nothing checked out).

File and folder names give each migration's identity (`drift.identify`); the SQL of a
migration is read only where the main branch lacks it, since only those can conflict.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from wttui.core.models import RepoSnapshot
from wttui.drift.analysis import (
    BranchMigration,
    DriftReport,
    LintRule,
    LockRisk,
    analyse,
    identify,
    up_part,
)
from wttui.migrations.lint import LintSettings, LintUnavailable, lint_texts
from wttui.providers.git import GitProvider


def drift_report(
    git: GitProvider,
    folder: str,
    rule: LintRule,
    snapshot: RepoSnapshot,
    lint: LintSettings | None = None,
) -> DriftReport:
    """Every local branch's migrations under `folder` (relative to the repository), read
    through git, analysed against the worktrees' states in `snapshot`; with `lint`, the
    branches' new SQL migrations are linted for lock safety too."""
    main = next((v.worktree.branch for v in snapshot.views if v.worktree.is_main), None)
    listed = {branch: migrations_at(git, branch, folder) for branch in git.local_branches()}
    on_main = {m.version for m in listed.get(main or "", [])}
    branches = {
        branch: [m if branch == main or m.version in on_main else with_sql(git, m) for m in found]
        for branch, found in listed.items()
    }
    report = analyse(main or "", branches, snapshot.views, rule)
    if lint is None:
        return report
    return lock_risks(report, branches, main, lint, git.root)


def lock_risks(
    report: DriftReport,
    branches: dict[str, list[BranchMigration]],
    main: str | None,
    lint: LintSettings,
    root: Path,
) -> DriftReport:
    """`report` with the lock-safety findings of the branches' new SQL migrations."""
    if not lint.enabled:
        return replace(report, lint_note='lint is off ([migrations] lint = "off")')
    new = [(b, m) for b, found in branches.items() if b != main for m in found if m.sql]
    try:
        found = lint_texts([(f"{b}\0{m.path}", m.sql or "") for b, m in new], lint, cwd=root)
    except LintUnavailable as exc:
        return replace(report, lint_note=str(exc)) if lint.enabled else report
    risks = tuple(
        LockRisk(b, m.version, m.name, f.line, f.rule, f.message, f.help)
        for b, m in sorted(new, key=lambda pair: (pair[0], pair[1].path))
        for f in found.get(f"{b}\0{m.path}", ())
    )
    return replace(report, lock_risks=risks)


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
