"""The one small interface every migration tool's adapter implements (F30).

An adapter knows three things about its tool, and nothing about wttui's UI or actions:
- where its migrations live in a worktree and how to read them (`local`): identity, name, file
  and, where the tool keeps one, the checksum in the tool's own format;
- how the tool records what it applied (`applied`): read from the tool's own state table exactly
  as the tool writes it, None when the table is missing ("nothing applied yet");
- which commands apply and roll back (`apply`, `rollback`; None when the tool has no down
  migrations), run in the worktree with its env by `ToolRunner`.

`detect` says whether a repository uses the tool. Everything else — merging both sides into
states, checksums wttui records for tools that keep none, owners, refusing a rollback of a
migration that isn't here — lives in `runner.py`, once for every tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import psycopg

from wttui.core.models import MigrationState
from wttui.core.versions import leading_digits as leading_digits
from wttui.core.versions import version_key as version_key
from wttui.migrations.base import ApplyContext as ApplyContext  # interim: base folds in here

Connection = psycopg.Connection[tuple[Any, ...]]


@dataclass(frozen=True)
class LocalMigration:
    """One migration in this worktree's folder."""

    version: str
    """The identity the tool's state table stores (a version, a folder name, a file name)."""
    name: str
    file: Path
    checksum: str | None = None
    """In the tool's own format, for tools that store one; None otherwise."""


@dataclass(frozen=True)
class AppliedMigration:
    """One migration as the tool's state table records it."""

    version: str
    name: str = ""
    state: MigrationState = MigrationState.APPLIED
    """APPLIED, FAILED (failed or dirty) or ROLLED_BACK."""
    checksum: str | None = None
    applied_at: datetime | None = None
    error: str | None = None
    """The tool's own log of a failure, where it keeps one."""


class Adapter(Protocol):
    name: str
    """The `[migrations] tool` value (`prisma`, `dbmate`, …)."""
    default_dir: str
    """Its migrations folder relative to the worktree, where the tool has a convention."""
    apply: tuple[str, ...]
    """Default apply command (`[migrations] apply` overrides)."""
    rollback: tuple[str, ...] | None
    """Default roll-back-one command; None: the tool has no down migrations."""
    out_of_order: str
    """What the tool does with a pending migration older than the newest applied one
    (applies it, skips it silently, fails), from its source: shown beside the flag."""

    def detect(self, root: Path) -> bool:
        """True when the repository at `root` uses this tool."""
        ...

    def local(self, folder: Path) -> list[LocalMigration]:
        """This worktree's migrations in the tool's order."""
        ...

    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        """The state table's rows, oldest first; None when the table does not exist."""
        ...

    def same_checksum(self, local: LocalMigration, stored: str) -> bool:
        """Whether the file matches the stored checksum (tools differ in tolerance)."""
        ...


def exact_checksum(local: LocalMigration, stored: str) -> bool:
    """The common rule: the file's checksum, as the tool computes it, equals the stored one."""
    return local.checksum == stored


def implied(local: list[LocalMigration], rows: list[AppliedMigration]) -> list[AppliedMigration]:
    """`rows` plus every local version below the highest stored one, as applied: for a tool
    that stores only how far it got, a stored version means every lower one ran."""
    stored = {row.version for row in rows}
    top = max((version_key(v) for v in stored if v.isdigit()), default=None)  # not a dirty -1
    if top is None:
        return rows
    below = [
        AppliedMigration(m.version, m.name)
        for m in local
        if m.version not in stored and version_key(m.version) < top
    ]
    return sorted([*below, *rows], key=lambda row: version_key(row.version))


def is_cumulative(adapter: Adapter) -> bool:
    """An adapter may set `cumulative = True`: its tool stores only how far it got (one
    version), so a stored version implies every lower local one."""
    return bool(getattr(adapter, "cumulative", False))


def is_graph_ordered(adapter: Adapter) -> bool:
    """An adapter may set `graph_ordered = True`: its identities are revision ids (Alembic) or
    per-app names (Django), ordered by `local()`, not comparable as versions."""
    return bool(getattr(adapter, "graph_ordered", False))


def shell(command: str) -> tuple[str, ...]:
    """A default command that needs the worktree's env in its arguments (`$DATABASE_URL`,
    `$WTTUI_MIGRATIONS_DIR`): run through `sh`, `exec`ed so cancel reaches the tool itself."""
    return ("sh", "-c", f"exec {command}")


def table_exists(conn: Connection, qualified: str) -> bool:
    """`to_regclass` first: several tools' own status commands create their tables, wttui
    never does."""
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (qualified,)).fetchone()
    return bool(row and row[0])


def columns(conn: Connection, schema: str, table: str) -> set[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s",
        (schema, table),
    ).fetchall()
    return {str(row[0]) for row in rows}
