"""Everything a user could see change: git's worktrees and branches, the project's databases
(their tables and every tracking row), and every worktree's `.env` bytes. Tests compare it
before and after a command that must change nothing (a refusal, `--dry-run`, a read)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from wttui.core.urls import with_database


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def _database(url: str) -> dict[str, Any]:
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
        ).fetchall()
        schemas = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' ORDER BY 1"
        ).fetchall()
        rows = {}
        for schema, table in tables:
            query = sql.SQL("SELECT * FROM {}.{} ORDER BY 1").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            rows[f"{schema}.{table}"] = [tuple(map(str, row)) for row in conn.execute(query)]
    return {"schemas": schemas, "rows": rows}


def fingerprint(root: Path, admin_url: str, project: str) -> dict[str, Any]:
    """The state of the repository at `root` and of `project`'s databases on the server."""
    worktrees = _git(root, "worktree", "list", "--porcelain")
    paths = [Path(line[9:]) for line in worktrees.splitlines() if line.startswith("worktree ")]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        names = [
            str(row[0])
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY 1",
                (project + "%",),
            )
        ]
    return {
        "worktrees": worktrees,
        "branches": _git(root, "branch", "--list", "--format=%(refname) %(objectname)"),
        "env": {
            str(path): (path / ".env").read_bytes() if (path / ".env").exists() else None
            for path in paths
        },
        "databases": {name: _database(with_database(admin_url, name)) for name in names},
    }
