"""`wttui status`: the snapshot as a plain table or as JSON (passwords always masked)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from wttui.cli.common import services
from wttui.cli.registry import Add
from wttui.core.models import DbStatus, RepoSnapshot, WorktreeView
from wttui.errors import EXIT_OK, EXIT_UNREACHABLE
from wttui.present import (
    database_words,
    disk_bytes,
    migrations_words,
    project_disk_bytes,
    size,
)


def view_json(view: WorktreeView, project_bytes: int | None = None) -> dict[str, Any]:
    """One worktree as the documented `status --json` object."""
    worktree = view.worktree
    counts = view.counts
    target = view.target
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
            "name": target.name if target else None,
            "schema": target.schema if target else None,
            "shared": target.shared if target else False,
            "server": target.server if target else None,
            "url": target.masked_url if target else None,
            "exists": {
                DbStatus.PRESENT: True,
                DbStatus.STOPPED: True,
                DbStatus.MISSING: False,
            }.get(view.db_status),
            "container": target.container if target else None,
            "state": view.database.state if view.database else None,
            "size_bytes": view.database.size_bytes if view.database else None,
            "connections": view.database.connections if view.database else None,
            "shared_with": list(view.shared_with),
        },
        "migrations": {
            "tool": view.tool,
            "applied": counts.applied,
            "pending": counts.pending,
            "applied_elsewhere": counts.applied_elsewhere,
            "modified": counts.modified,
            "failed": counts.failed,
        },
        "env": {
            "file": str(view.env.path) if view.env else None,
            "matches": view.env.matches if view.env else False,
        },
        "disk": {
            "database_bytes": view.database.size_bytes if view.database else None,
            "volume_bytes": view.database.volume_bytes if view.database else None,
            "total_bytes": disk_bytes(view),
            "project_total_bytes": project_bytes,
        },
        "errors": list(view.errors),
    }


def render_json(snapshot: RepoSnapshot) -> list[dict[str, Any]]:
    total = project_disk_bytes(snapshot.views)
    return [view_json(view, total) for view in snapshot.views]


def render_table(snapshot: RepoSnapshot) -> str:
    """Aligned columns: branch, database, migrations, env, path."""
    rows = [("BRANCH", "DATABASE", "MIGRATIONS", "ENV", "PATH")]
    for view in snapshot.views:
        worktree = view.worktree
        label = worktree.label + (" *" if worktree.is_main else "")
        if worktree.dirty:
            label += " (dirty)"
        env = "ok" if view.env and view.env.matches else "stale" if view.env else "-"
        rows.append((label, database_words(view), migrations_words(view), env, str(worktree.path)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[4]
        for row in rows
    ]
    used = size(project_disk_bytes(snapshot.views)) or "0 B"
    lines.append(f"\n{snapshot.project} on {snapshot.server}: {used} on disk")
    return "\n".join(line.rstrip() for line in lines)


def cmd_status(args: argparse.Namespace) -> int:
    """The table or JSON; exit 3 (after printing what could be read) when the server is down."""
    from wttui.snapshot import read_snapshot

    snapshot = read_snapshot(services(args))
    if args.json:
        print(json.dumps(render_json(snapshot), indent=2))
    else:
        print(render_table(snapshot))
    if snapshot.server_error:
        print(f"wttui: error: {snapshot.server_error}", file=sys.stderr)
        return EXIT_UNREACHABLE
    return EXIT_OK


def register(add: Add) -> None:
    status = add("status", cmd_status, "list worktrees with their databases and migrations")
    status.add_argument("--json", action="store_true", help="print JSON on stdout")
