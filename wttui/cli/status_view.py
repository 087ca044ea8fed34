"""What `wttui status` prints: the snapshot as a plain table or as JSON (passwords always
masked)."""

from __future__ import annotations

import re
from typing import Any

from wttui.core.disk import disk_bytes, project_disk_bytes
from wttui.core.models import DbStatus, MigrationStatus, RepoSnapshot, WorktreeView
from wttui.present import (
    database_words,
    migration_name,
    migrations_words,
    size,
    warning_line,
)


def migration_json(status: MigrationStatus) -> dict[str, Any]:
    """One migration as `status --json --migrations` lists it."""
    return {
        "identity": status.version,
        "name": migration_name(status),
        "state": status.state.value,
        "out_of_order": status.out_of_order,
        "note": status.note,
        "owner": status.applied_by,
        "applied_at": status.applied_at.isoformat() if status.applied_at else None,
        "file": str(status.file) if status.file else None,
        "found_in": list(status.found_in),
    }


def view_json(
    view: WorktreeView, *, migrations: bool = False, project_bytes: int | None = None
) -> dict[str, Any]:
    """One worktree as the documented `status --json` object (`migrations`: with every
    migration listed; `project_bytes`: the project's disk total, repeated on every row)."""
    worktree = view.worktree
    counts = view.counts
    target = view.target
    none = target is not None and target.none  # no database, on purpose
    return {
        "branch": worktree.branch,
        "path": str(worktree.path),
        "is_main": worktree.is_main,
        "head": worktree.head,
        "dirty": worktree.dirty,
        "ahead": worktree.ahead,
        "behind": worktree.behind,
        "locked": worktree.locked,
        "prunable": worktree.prunable,
        "database": {
            "strategy": target.strategy if target else None,
            "name": target.name if target and not none else None,
            "schema": target.schema if target else None,
            "shared": target.shared if target else False,
            "server": target.server if target and not none else None,
            "url": target.masked_url if target and not none else None,
            "exists": {
                DbStatus.PRESENT: True,
                DbStatus.STOPPED: True,
                DbStatus.MISSING: False,
                DbStatus.NONE: False,
            }.get(view.db_status),
            "container": target.container if target else None,
            "state": view.database.state if view.database else None,
            "size_bytes": view.database.size_bytes if view.database else None,
            "connections": view.database.connections if view.database else None,
            "shared_with": list(view.shared_with),
        },
        "migrations": {
            "tool": view.tool,
            "detected_by": view.tool_source,
            "folder": str(view.tool_folder) if view.tool_folder else None,
            "applied": counts.applied,
            "pending": counts.pending,
            "applied_elsewhere": counts.applied_elsewhere,
            "modified": counts.modified,
            "failed": counts.failed,
            "out_of_order": sum(1 for m in view.migrations if m.out_of_order),
            "warnings": [
                {"kind": w.kind, "message": w.message, "hint": w.hint, "version": w.version}
                for w in view.migration_warnings
            ],
            **({"list": [migration_json(m) for m in view.migrations]} if migrations else {}),
        },
        "env": {
            "file": str(view.env.path) if view.env else None,
            "matches": (view.env.matches if view.env.known else None) if view.env else False,
            "error": view.env.error if view.env else None,
        },
        "disk": {
            "database_bytes": view.database.size_bytes if view.database else None,
            "volume_bytes": view.database.volume_bytes if view.database else None,
            "total_bytes": disk_bytes(view),
            "project_total_bytes": project_bytes,
        },
        "errors": list(view.errors),
    }


def render_json(snapshot: RepoSnapshot, *, migrations: bool = False) -> list[dict[str, Any]]:
    total = project_disk_bytes(snapshot.views)
    return [view_json(view, migrations=migrations, project_bytes=total) for view in snapshot.views]


def render_table(snapshot: RepoSnapshot, width: int | None = None) -> str:
    """Aligned columns: branch, database, migrations, env, path. With `width` (a terminal's),
    the table fits it (`fit_columns`: long values cut with `…`, the path left out when there is
    no room for it); without, every value is whole (piped into grep or awk)."""
    rows: list[tuple[str, ...]] = [("BRANCH", "DATABASE", "MIGRATIONS", "ENV", "PATH")]
    for view in snapshot.views:
        worktree = view.worktree
        label = worktree.label + (" (main worktree)" if worktree.is_main else "")
        if worktree.dirty:
            label += " (dirty)"
        env = _env_word(view)
        rows.append((label, database_words(view), _migrations_word(view), env, str(worktree.path)))
    if width is not None:
        rows = fit_columns(rows, width)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]
    used = size(project_disk_bytes(snapshot.views)) or "0 B"
    lines.append(f"\n{snapshot.project} on {snapshot.server}: {used} on disk")
    warnings = [
        f"⚠ {view.worktree.label}: {warning_line(w)}"
        for view in snapshot.views
        for w in view.migration_warnings
    ]
    if warnings:
        lines += ["", *warnings]
    errors = [f"✗ {view.worktree.label}: {e}" for view in snapshot.views for e in view.errors]
    if errors:
        lines += ["", *errors]
    return "\n".join(line.rstrip() for line in lines)


PATH_COLUMN = 4
SHRINK = {PATH_COLUMN: 12, 1: 15, 0: 15}
"""The columns cut to fit a terminal, in this order, and the width each keeps at least: the
path (the worktree is named by its branch; below 12 columns it is left out, `wttui cd`
finds it), the database (its end, which names the worktree: the start is the project's), then
the branch (both ends). The counts and the env state are never cut; below the minimums the
terminal wraps."""
GAP = 2
NOTES = re.compile(r"^(.+?)((?: \([^()]*\))+)$")
"""A name and the notes after it, kept whole when the name is cut: `(dirty)`, `(8 MiB)`."""
MIN_NAME = 5


def fit_columns(rows: list[tuple[str, ...]], width: int) -> list[tuple[str, ...]]:
    """`rows` (the header first) with the long columns cut (`…`) so that each line fits
    `width` columns, or the path left out when even its last 12 columns do not fit."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    excess = sum(widths) + GAP * (len(widths) - 1) - width
    keep = list(range(len(widths)))
    for column, least in SHRINK.items():
        cut = max(0, min(excess, widths[column] - least))
        widths[column] -= cut
        excess -= cut
        if column == PATH_COLUMN and excess > 0:  # a path cut below 12 columns says nothing
            keep.remove(column)
            excess -= widths[column] + GAP
    return [tuple(_cut(row[i], widths[i], column=i) for i in keep) for row in rows]


def _cut(cell: str, width: int, *, column: int) -> str:
    if len(cell) <= width:
        return cell
    from wttui.core.text import middle_truncate, start_truncate  # only when it is too narrow

    if column == PATH_COLUMN:
        return start_truncate(cell, width)

    name, notes = cell, ""
    if (found := NOTES.match(cell)) is not None and width - len(found.group(2)) >= MIN_NAME:
        name, notes = found.group(1), found.group(2)
    room = width - len(notes)
    if column == 1:  # a database: `shop_feat__payments`; its end tells worktrees apart
        return start_truncate(name, room) + notes
    return middle_truncate(name, room) + notes


def _migrations_word(view: WorktreeView) -> str:
    """The MIGRATIONS column; `error` when reading them failed (the count would say `0
    applied`, which is not true: the error itself is printed below the table)."""
    words = migrations_words(view)
    if not view.errors:
        return words
    if not view.migrations:  # the read itself failed: no count can be trusted
        return "error"
    return f"{words}, error"


def _env_word(view: WorktreeView) -> str:
    """The ENV column: `ok`, `stale` (a managed key differs), `missing` (no env file),
    `unreadable` (not UTF-8, a directory, …), `unknown` (the server or Docker unreachable: what
    wttui would write is not known), `-` (no env file state, or no database so no key)."""
    env = view.env
    if env is None or (view.target is not None and view.target.none):
        return "-"
    if env.error is not None:
        return "unreadable"
    if not env.exists:
        return "missing"
    if not env.known:
        return "unknown"
    return "ok" if env.matches else "stale"
