"""Every branch's migrations, read through git with the worktree's own tool, for the drift report
(nothing checked out).

The listing is the tool adapter's own (`listing.py`), so drift names migrations exactly as status
does; the analysis follows the tool's order, naming convention and out-of-order rule (its
adapter's `order_key`, `naming`, `out_of_order`).
"""

from __future__ import annotations

from dataclasses import replace

from wttui.core.models import RepoSnapshot
from wttui.drift.analysis import BranchMigration, DriftReport, LintRule, ToolRules, analyse
from wttui.drift.listing import list_branches
from wttui.migrations.adapter import Adapter
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
    git: GitProvider, adapter: Adapter, folder: str, rule: LintRule, snapshot: RepoSnapshot
) -> DriftReport:
    """Every local branch's migrations under `folder` (relative to the repository), as
    `adapter` lists them, analysed against the worktrees' states in `snapshot`."""
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
    return replace(report, migrations=dated, problems=tuple(sorted(problems.items())))
