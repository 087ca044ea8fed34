"""Migrations across branches (F32, F34): what collides, what is out of order, which branches
change the same tables, in which order to merge, and which names break the convention.

Pure analysis: the caller reads every branch's migration files through git (nothing checked out)
and the worktrees' states from a snapshot. SQL is parsed with PostgreSQL's own parser (pglast);
migrations in Python, Ruby or JavaScript are listed as "not parsed" rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from wttui.core.models import MigrationState, WorktreeView
from wttui.core.versions import leading_digits, version_key

_DOWN_MARKERS = re.compile(r"^--\s*(migrate:down|\+goose\s+Down)\b", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class BranchMigration:
    """One migration file on a branch, as git has it."""

    branch: str
    version: str
    name: str
    path: str
    sql: str | None = None
    """The up part of a SQL migration; None for migrations in other languages."""


@dataclass(frozen=True)
class Collision:
    version: str
    uses: tuple[tuple[str, str], ...]
    """(branch, name) pairs that give the version to different migrations."""


@dataclass(frozen=True)
class OutOfOrder:
    branch: str
    version: str
    name: str
    main_newest: str


@dataclass(frozen=True)
class TableConflict:
    branches: tuple[str, str]
    tables: tuple[str, ...]
    columns: tuple[str, ...] = ()
    """`table.column` both branches change, where the SQL names columns."""


@dataclass(frozen=True)
class NotEverywhere:
    worktree: str
    version: str
    name: str
    state: MigrationState
    found_in: tuple[str, ...] = ()
    applied_by: str | None = None


@dataclass(frozen=True)
class NameWarning:
    branch: str
    version: str
    name: str
    reason: str


@dataclass(frozen=True)
class LintRule:
    """From `[migrations] name_pattern` and `vague_names`."""

    pattern: str
    vague: tuple[str, ...]


@dataclass(frozen=True)
class LockRisk:
    """A lock-safety finding (squawk, `migrations.lint`) in a branch's new migration."""

    branch: str
    version: str
    name: str
    line: int
    rule: str
    message: str
    help: str | None = None


@dataclass(frozen=True)
class DriftReport:
    main: str
    not_everywhere: tuple[NotEverywhere, ...] = ()
    collisions: tuple[Collision, ...] = ()
    out_of_order: tuple[OutOfOrder, ...] = ()
    conflicts: tuple[TableConflict, ...] = ()
    unparsed: tuple[tuple[str, str], ...] = ()
    """(branch, path) of new migrations that are not SQL."""
    merge_order: tuple[tuple[str, str], ...] = ()
    """(branch, its oldest new version), the oldest first."""
    names: tuple[NameWarning, ...] = field(default_factory=tuple)
    lock_risks: tuple[LockRisk, ...] = ()
    """Lock-safety findings in the branches' new SQL migrations (empty: none, or no lint)."""
    lint_note: str | None = None
    """Why nothing was linted (squawk missing or failing), when that is so."""


def identify(entry: str) -> tuple[str, str] | None:
    """(version, name) of a migration file or folder name in any common layout:
    `001_x.sql`, `001_x.up.sql`, `20250101120000_x/` (Prisma), `V2__x.sql` (Flyway),
    `0003_x.py` (Django); None for what isn't one (`migration_lock.toml`, `meta`, down files)."""
    if entry.endswith(".down.sql") or entry.startswith(("__", ".")):
        return None
    stem = entry
    for suffix in (".up.sql", ".sql", ".py", ".rb", ".js", ".ts", ".cjs", ".mjs"):
        if stem.endswith(suffix):
            stem = stem.removesuffix(suffix)
            break
    if stem[:1] in ("V", "v") and stem[1:2].isdigit():
        stem = stem[1:]
    version = leading_digits(stem)
    if not version:
        return None
    return version, stem[len(version) :].lstrip("_-.")


def up_part(text: str) -> str:
    """A SQL migration's up part (before `-- migrate:down` / `-- +goose Down`)."""
    marker = _DOWN_MARKERS.search(text)
    return text[: marker.start()] if marker else text


def touched(sql_text: str) -> dict[str, set[str]]:
    """Tables a SQL script touches, each with the columns it names (ALTER TABLE … COLUMN)."""
    from pglast import ast, parse_sql
    from pglast.visitors import Visitor

    found: dict[str, set[str]] = {}

    def table(schema: str | None, name: str) -> set[str]:
        return found.setdefault(f"{schema}.{name}" if schema else name, set())

    class Collect(Visitor):
        def visit_RangeVar(self, _ancestors: object, node: ast.RangeVar) -> None:
            table(node.schemaname, str(node.relname))

        def visit_AlterTableStmt(self, _ancestors: object, node: ast.AlterTableStmt) -> None:
            if node.relation is None:
                return
            columns = table(node.relation.schemaname, str(node.relation.relname))
            for command in node.cmds or ():
                definition = getattr(command, "def_", None)
                column = command.name or getattr(definition, "colname", None)
                if column:
                    columns.add(str(column))

        def visit_DropStmt(self, _ancestors: object, node: ast.DropStmt) -> None:
            for names in node.objects or ():
                items = names if isinstance(names, tuple) else ()
                parts = [str(n.sval) for n in items if getattr(n, "sval", None)]
                if parts and len(parts) == len(items):
                    table(".".join(parts[:-1]) or None, parts[-1])

    collect = Collect()
    for statement in parse_sql(sql_text):
        collect(statement)
    return found


def analyse(
    main: str,
    branches: dict[str, list[BranchMigration]],
    views: Sequence[WorktreeView],
    rule: LintRule,
) -> DriftReport:
    """The whole report for one repository."""
    main_versions = {m.version for m in branches.get(main, [])}
    main_newest = max((m.version for m in branches.get(main, [])), key=version_key, default=None)
    new = {
        branch: [m for m in found if m.version not in main_versions]
        for branch, found in branches.items()
        if branch != main
    }
    return DriftReport(
        main=main,
        not_everywhere=_not_everywhere(views),
        collisions=_collisions(branches),
        out_of_order=tuple(
            OutOfOrder(branch, m.version, m.name, main_newest)
            for branch, found in sorted(new.items())
            for m in found
            if main_newest is not None and version_key(m.version) < version_key(main_newest)
        ),
        conflicts=_conflicts(new),
        unparsed=tuple(
            (branch, m.path)
            for branch, found in sorted(new.items())
            for m in found
            if m.sql is None
        ),
        merge_order=tuple(
            sorted(
                (
                    (branch, min((m.version for m in found), key=version_key))
                    for branch, found in new.items()
                    if found
                ),
                key=lambda pair: (version_key(pair[1]), pair[0]),
            )
        ),
        names=_lint(branches, rule),
    )


def _not_everywhere(views: Iterable[WorktreeView]) -> tuple[NotEverywhere, ...]:
    return tuple(
        NotEverywhere(view.worktree.label, m.version, m.name, m.state, m.found_in, m.applied_by)
        for view in views
        for m in view.migrations
        if m.state is not MigrationState.APPLIED
    )


def _collisions(branches: dict[str, list[BranchMigration]]) -> tuple[Collision, ...]:
    names: dict[str, dict[str, set[str]]] = {}
    for branch, found in branches.items():
        for m in found:
            names.setdefault(m.version, {}).setdefault(m.name, set()).add(branch)
    return tuple(
        Collision(
            version,
            tuple(sorted((branch, name) for name, held in by_name.items() for branch in held)),
        )
        for version, by_name in sorted(names.items(), key=lambda item: version_key(item[0]))
        if len(by_name) > 1
    )


def _conflicts(new: dict[str, list[BranchMigration]]) -> tuple[TableConflict, ...]:
    changes: dict[str, dict[str, set[str]]] = {}
    for branch, found in new.items():
        merged: dict[str, set[str]] = {}
        for m in found:
            if m.sql is None:
                continue
            for name, columns in touched(m.sql).items():
                merged.setdefault(name, set()).update(columns)
        changes[branch] = merged
    result = []
    for a, b in combinations(sorted(changes), 2):
        shared = sorted(set(changes[a]) & set(changes[b]))
        if shared:
            both = sorted(
                f"{table}.{column}"
                for table in shared
                for column in changes[a][table] & changes[b][table]
            )
            result.append(TableConflict((a, b), tuple(shared), tuple(both)))
    return tuple(result)


def _lint(branches: dict[str, list[BranchMigration]], rule: LintRule) -> tuple[NameWarning, ...]:
    pattern = re.compile(rule.pattern)
    seen: set[tuple[str, str]] = set()
    warnings = []
    for branch, found in sorted(branches.items()):
        for m in found:
            if (m.version, m.name) in seen:
                continue
            seen.add((m.version, m.name))
            stem = f"{m.version}_{m.name}"
            words = set(m.name.lower().split("_"))
            if not pattern.match(stem):
                warnings.append(
                    NameWarning(branch, m.version, m.name, "does not match " + rule.pattern)
                )
            elif words and words <= set(rule.vague):
                warnings.append(
                    NameWarning(branch, m.version, m.name, "says nothing about the change")
                )
    return tuple(warnings)
