"""Every branch's migrations, read through git with the worktree's own tool, for the drift report
(nothing checked out).

The listing is the tool adapter's own (`listing.py`), so drift names migrations exactly as status
does; the analysis follows the tool's order, naming convention and out-of-order rule (its
adapter's `order_key`, `naming`, `out_of_order`).
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
    ToolRules,
    analyse,
)
from wttui.drift.listing import list_branches
from wttui.migrations.adapter import Adapter
from wttui.migrations.lint import LintSettings, LintUnavailable, lint_texts
from wttui.providers.git import GitProvider
from wttui.providers.git_trees import GitTrees


def rules_of(adapter: Adapter) -> ToolRules:
    """What the analysis needs of the tool."""
    return ToolRules(
        name=adapter.name,
        order=adapter.order_key,
        note=adapter.out_of_order,
        graph=adapter.graph_ordered,
        naming=adapter.naming,
    )


def drift_report(
    git: GitProvider,
    adapter: Adapter,
    folder: str,
    rule: LintRule,
    snapshot: RepoSnapshot,
    lint: LintSettings | None = None,
) -> DriftReport:
    """Every local branch's migrations under `folder` (relative to the repository), as
    `adapter` lists them, analysed against the worktrees' states in `snapshot`; with `lint`,
    the branches' new SQL migrations are linted for lock safety too."""
    main = next((v.worktree.branch for v in snapshot.views if v.worktree.is_main), None)
    trees = GitTrees(git.root)
    listed, problems = list_branches(trees, adapter, folder, git.local_branches())
    branches = {
        branch: [
            BranchMigration(branch, m.version, m.name, m.path, m.sql, m.lint, m.sequence)
            for m in found
        ]
        for branch, found in listed.items()
    }
    report = analyse(main or "", branches, snapshot.views, rule, rules_of(adapter))
    paths = {(m.version, m.name): m.path for found in branches.values() for m in found}
    dated = tuple(
        replace(row, date=trees.added_on(row.branches[0], paths[(row.version, row.name)]))
        if row.date is None and row.branches and (row.version, row.name) in paths
        else row
        for row in report.migrations
    )
    report = replace(report, migrations=dated, problems=tuple(sorted(problems.items())))
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
    """`report` with the lock-safety findings of the branches' new SQL migrations (those the
    main branch lacks)."""
    if not lint.enabled:
        return replace(report, lint_note='lint is off ([migrations] lint = "off")')
    on_main = {m.key for m in branches.get(main or "", [])}
    new = [
        (b, m)
        for b, found in branches.items()
        if b != main
        for m in found
        if m.sql and m.key not in on_main
    ]
    try:
        found = lint_texts([(f"{b}\0{m.path}", m.sql or "") for b, m in new], lint, cwd=root)
    except LintUnavailable as exc:
        return replace(report, lint_note=str(exc))
    risks = tuple(
        LockRisk(b, m.version, m.name, f.line, f.rule, f.message, f.help)
        for b, m in sorted(new, key=lambda pair: (pair[0], pair[1].path))
        for f in found.get(f"{b}\0{m.path}", ())
    )
    return replace(report, lock_risks=risks)
