"""Migrations across branches (F32, F34): what collides, what is out of order, which branches
change the same tables, in which order to merge, which names break the convention, and the
team's "Known schema drift" table.

Pure analysis: the caller lists every branch's migrations with the worktree's own tool
(`listing.py`: the same identities as status) and reads the worktrees' states from a snapshot.
A migration is its identity and its name together, so a branch that reuses main's number for a
different migration (`0180_x` beside main's `0180_y`) is both a collision and a new migration
(out of order, same-table conflicts, merge order). Order is the tool's own (`ToolRules.order`:
Drizzle's journal `when`, Prisma's `localeCompare` of folder names, numbers as numbers for
wttui's runner); revision graphs and plans (Alembic, Django, Sqitch) have no order to break.
SQL is parsed with PostgreSQL's own parser (`sql_changes.py`); migrations in Python, Ruby or
JavaScript are listed as "not parsed" rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import combinations

from wttui.core.models import MigrationState, WorktreeView
from wttui.core.versions import migration_label, version_key
from wttui.drift.known import known_drift
from wttui.drift.report import (
    BranchMigration,
    Collision,
    DriftMigration,
    DriftReport,
    Key,
    LintRule,
    LockRisk,
    NameWarning,
    NotEverywhere,
    OutOfOrder,
    TableConflict,
    ToolRules,
)
from wttui.drift.sql_changes import TableChanges, parsed_changes

__all__ = [
    "BranchMigration",
    "Collision",
    "DriftMigration",
    "DriftReport",
    "LintRule",
    "LockRisk",
    "NameWarning",
    "NotEverywhere",
    "OutOfOrder",
    "TableConflict",
    "ToolRules",
    "analyse",
]


def analyse(
    main: str,
    branches: dict[str, list[BranchMigration]],
    views: Sequence[WorktreeView],
    rule: LintRule,
    tool: ToolRules | None = None,
) -> DriftReport:
    """The whole report for one repository."""
    rules = tool or ToolRules()
    on_main = branches.get(main, [])
    main_keys = {m.key for m in on_main}
    newest = (
        None if rules.graph else max(on_main, key=lambda m: rules.order(m.version), default=None)
    )
    new = {
        branch: [m for m in found if m.key not in main_keys]
        for branch, found in branches.items()
        if branch != main
    }
    changes = _changes(new)
    conflicts = _conflicts(changes)
    late = tuple(
        OutOfOrder(branch, m.version, m.name, newest.label, rules.note, m.label)
        for branch, found in sorted(new.items())
        for m in found
        if newest is not None and rules.order(m.version) < rules.order(newest.version)
    )
    return DriftReport(
        main=main,
        not_everywhere=_not_everywhere(views),
        collisions=_collisions(branches),
        out_of_order=late,
        conflicts=conflicts,
        unparsed=tuple(
            (branch, m.path)
            for branch, found in sorted(new.items())
            for m in found
            if parsed_changes(m.sql) is None
        ),
        merge_order=() if rules.graph else _merge_order(new, rules),
        names=_lint(branches, rule, rules),
        migrations=known_drift(main_keys, new, views, conflicts, late),
        tool=rules.name,
        graph=rules.graph,
    )


def _merge_order(
    new: dict[str, list[BranchMigration]], rules: ToolRules
) -> tuple[tuple[str, str], ...]:
    oldest = {
        branch: min(found, key=lambda m: rules.order(m.version))
        for branch, found in new.items()
        if found
    }
    ordered = sorted(oldest.items(), key=lambda item: (rules.order(item[1].version), item[0]))
    return tuple((branch, m.label) for branch, m in ordered)


def _not_everywhere(views: Iterable[WorktreeView]) -> tuple[NotEverywhere, ...]:
    return tuple(
        NotEverywhere(
            view.worktree.label,
            m.version,
            m.name,
            m.state,
            m.found_in,
            m.applied_by,
            m.out_of_order,
            m.note,
            migration_label(m.version, m.name),
        )
        for view in views
        for m in view.migrations
        if m.state is not MigrationState.APPLIED
    )


def _collisions(branches: dict[str, list[BranchMigration]]) -> tuple[Collision, ...]:
    """Numbers given to different migrations (by identity and name) on one or more branches."""
    uses: dict[str, dict[Key, set[str]]] = {}
    names: dict[Key, str] = {}
    for branch, found in branches.items():
        for m in found:
            uses.setdefault(m.sequence or m.version, {}).setdefault(m.key, set()).add(branch)
            names[m.key] = m.name
    return tuple(
        Collision(
            number,
            tuple(sorted((branch, names[key]) for key, held in by_key.items() for branch in held)),
        )
        for number, by_key in sorted(uses.items(), key=lambda item: version_key(item[0]))
        if len(by_key) > 1
    )


def _changes(new: dict[str, list[BranchMigration]]) -> dict[str, TableChanges]:
    """What each branch's new SQL migrations add and change, together."""
    result: dict[str, TableChanges] = {}
    for branch, found in new.items():
        merged = TableChanges()
        for m in found:
            parsed = parsed_changes(m.sql)
            if parsed is not None:
                merged.update(parsed)
        result[branch] = merged
    return result


def _conflicts(changes: dict[str, TableChanges]) -> tuple[TableConflict, ...]:
    result = []
    for a, b in combinations(sorted(changes), 2):
        shared = sorted(changes[a].tables & changes[b].tables)
        if shared:
            both = sorted(
                f"{table}.{column}"
                for table in shared
                for column in changes[a].changed.get(table, set())
                & changes[b].changed.get(table, set())
            )
            result.append(TableConflict((a, b), tuple(shared), tuple(both)))
    return tuple(result)


_WORDS = re.compile(r"[_\-\s]+")


def _lint(
    branches: dict[str, list[BranchMigration]], rule: LintRule, rules: ToolRules
) -> tuple[NameWarning, ...]:
    pattern = re.compile(rule.pattern or rules.naming)
    seen: set[Key] = set()
    warnings = []
    for branch, found in sorted(branches.items()):
        for m in found:
            if m.key in seen:
                continue
            seen.add(m.key)
            name = m.lint or f"{m.version}_{m.name}"
            words = {
                w
                for w in _WORDS.split(m.name.lower())
                if w and not w.isdigit() and not re.fullmatch(r"v\d+", w)
            }
            if not pattern.match(name):
                reason = "does not match " + pattern.pattern
                warnings.append(NameWarning(branch, m.version, m.name, reason, name))
            elif words and words <= set(rule.vague):
                reason = "says nothing about the change"
                warnings.append(NameWarning(branch, m.version, m.name, reason, name))
    return tuple(warnings)
