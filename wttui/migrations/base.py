"""The small interface every migration tool implements (the built-in SQL runner first).

A tool instance is bound to one worktree's migration folder. `status` merges the folder with
the tool's state table in the worktree's database into one `MigrationStatus` per migration;
`apply` and `rollback` stream their narration into a `LogSink` and stop when the `CancelToken`
is set. Adapters for Prisma, Alembic, dbmate and the rest slot in beside `sql_runner.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import MigrationStatus


@dataclass(frozen=True)
class ApplyContext:
    """Who applies: recorded with each migration so a shared database can name its owner."""

    worktree: str
    branch: str | None
    commit: str
    path: Path
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    """The worktree's database env (`DATABASE_URL`, …): what a tool's own CLI connects with.
    Holds a password: never print it."""

    @property
    def applier(self) -> str:
        """`branch (worktree dir)` as shown in the Migrations pane."""
        return self.branch or self.worktree


class MigrationTool(Protocol):
    """A migration tool bound to one worktree's folder."""

    name: str
    can_rollback: bool
    """False for tools without down migrations: the app then does not offer `b`."""

    def status(self, conninfo: str) -> tuple[MigrationStatus, ...]:
        """Every migration known to the folder or the database, sorted by version.

        Raises:
            DatabaseUnavailable: the database cannot be reached.
            MigrationFileError: the folder holds a malformed migration.
        """
        ...

    def apply(
        self, conninfo: str, *, context: ApplyContext, sink: LogSink, cancel: CancelToken
    ) -> int:
        """Apply every pending migration in order; returns how many ran.

        Raises:
            MigrationFailed: one failed (it is rolled back and recorded as failed).
            Refused: an applied migration's file changed since.
            Cancelled: the user cancelled.
        """
        ...

    def rollback(
        self,
        conninfo: str,
        *,
        steps: int,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> int:
        """Revert the newest `steps` migrations; returns how many were reverted.

        Raises:
            Refused: a migration has no down part, or the newest belongs to another worktree.
        """
        ...

    def watch_paths(self) -> list[Path]:
        """Folders whose changes should refresh the Migrations pane."""
        ...
