"""Reports made from a snapshot: the cross-branch drift report and the migration warnings.

Both read what `snapshot.read_snapshot` read (and, for drift, each branch's migrations through
git, nothing checked out); neither writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wttui.core.models import MigrationWarning, RepoSnapshot, WorktreeView
from wttui.snapshot import read_snapshot

if TYPE_CHECKING:
    from wttui.drift.analysis import DriftReport
    from wttui.services import Services


def read_drift(services: Services, snapshot: RepoSnapshot | None = None) -> DriftReport:
    """The cross-branch report (F32, F34). Blocking: git and the databases are read."""
    from wttui.drift.analysis import LintRule
    from wttui.drift.branches import drift_report  # pglast: only when asked for
    from wttui.migrations.lint import LintSettings

    settings = services.config.migrations
    tool = services.migration_tool(services.root)
    return drift_report(
        services.git,
        tool.adapter,
        tool.folder.relative_to(services.root).as_posix(),
        LintRule(pattern=settings.name_pattern, vague=tuple(settings.vague_names)),
        snapshot or read_snapshot(services),
        LintSettings.of(settings),
    )


def migration_warnings(snapshot: RepoSnapshot) -> list[tuple[WorktreeView, MigrationWarning]]:
    """Every migration warning of the snapshot, once per database (worktrees sharing one see
    the same state table): for `doctor` and the app. The unread state table, hand-deleted
    tracking rows (seed 2's rule 3) and several tools found, each with the worktree it was read
    from."""
    seen: set[tuple[object, str, str]] = set()
    found: list[tuple[WorktreeView, MigrationWarning]] = []
    for view in snapshot.views:
        database: object = view.target.key if view.target else view.worktree.path
        for warning in view.migration_warnings:
            where = view.worktree.path if warning.kind == "other_tools" else database
            # A migration's warning by its version: its words hold an age ("2s ago"),
            # which two worktrees' reads a moment apart put differently.
            mark = (where, warning.kind, warning.version or warning.message)
            if mark not in seen:
                seen.add(mark)
                found.append((view, warning))
    return found
