"""Every adapter by its `[migrations] tool` name, and detection from a worktree's files."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wttui.core.models import MigrationState, MigrationStatus
from wttui.errors import Refused
from wttui.migrations.adapter import Adapter
from wttui.migrations.tools.alembic import AlembicAdapter
from wttui.migrations.tools.dbmate import DbmateAdapter
from wttui.migrations.tools.django import DjangoAdapter
from wttui.migrations.tools.drizzle import DrizzleAdapter
from wttui.migrations.tools.flyway import FlywayAdapter
from wttui.migrations.tools.golang_migrate import GolangMigrateAdapter
from wttui.migrations.tools.goose import GooseAdapter
from wttui.migrations.tools.knex import KnexAdapter
from wttui.migrations.tools.node_pg_migrate import NodePgMigrateAdapter
from wttui.migrations.tools.prisma import PrismaAdapter
from wttui.migrations.tools.rails import RailsAdapter
from wttui.migrations.tools.sqitch import SqitchAdapter

ADAPTERS: dict[str, Adapter] = {
    adapter.name: adapter
    for adapter in (
        PrismaAdapter(),
        DrizzleAdapter(),
        FlywayAdapter(),
        KnexAdapter(),
        NodePgMigrateAdapter(),
        AlembicAdapter(),
        SqitchAdapter(),
        RailsAdapter(),
        GooseAdapter(),
        GolangMigrateAdapter(),
        DbmateAdapter(),
        DjangoAdapter(),  # last: it walks the tree
    )
}
"""In detection order: the most specific markers first."""


def detect(root: Path) -> Adapter | None:
    """The first adapter whose markers `root` has; None: wttui's own SQL runner."""
    for adapter in ADAPTERS.values():
        if adapter.detect(root):
            return adapter
    return None


# -- interim bridge (replaced by the one-pipeline registry) ------------------------------------


class _InterimRunner:
    """Today's tools behind the runner interface services and plans use."""

    def __init__(self, tool: Any) -> None:
        self._tool = tool
        self.name: str = tool.name
        self.can_rollback: bool = tool.can_rollback
        self.folder: Path = tool.watch_paths()[0]

    def watch_paths(self) -> list[Path]:
        paths: list[Path] = self._tool.watch_paths()
        return paths

    def status(self, conninfo: str) -> tuple[MigrationStatus, ...]:
        statuses: tuple[MigrationStatus, ...] = self._tool.status(conninfo)
        return statuses

    def check_apply(self, statuses: Sequence[MigrationStatus]) -> None:
        if self.name != "sql":
            return
        modified = [s for s in statuses if s.state is MigrationState.MODIFIED]
        if modified:
            names = ", ".join(s.file.name if s.file else s.version for s in modified)
            raise Refused(
                f"{names} changed after it was applied; refusing to migrate",
                hint="restore the file, or add a new migration for the change",
            )

    def rollback_targets(
        self, statuses: Sequence[MigrationStatus], steps: int
    ) -> tuple[MigrationStatus, ...]:
        if not self.can_rollback:
            raise Refused(
                f"{self.name} has no down migrations: wttui cannot roll back here",
                hint="write a new migration that undoes the change",
            )
        applied = [
            s
            for s in statuses
            if s.state
            in (MigrationState.APPLIED, MigrationState.MODIFIED, MigrationState.APPLIED_ELSEWHERE)
        ]
        newest = list(reversed(applied))[:steps]
        for status in newest:
            if status.file is None:
                who = f" by {status.applied_by}" if status.applied_by else ""
                raise Refused(
                    f"The newest applied migration {status.version} was applied{who} and is not "
                    f"in this worktree: {self.name} would revert a different migration than the "
                    "one you expect",
                    hint=f"roll it back from {status.applied_by or 'the worktree that has it'}",
                )
            if not status.has_down:
                raise Refused(f"{status.file.name} has no down migration")
        return tuple(newest)

    def apply(self, conninfo: str, **kwargs: Any) -> int:
        return int(self._tool.apply(conninfo, **kwargs))

    def rollback(self, conninfo: str, **kwargs: Any) -> int:
        return int(self._tool.rollback(conninfo, **kwargs))


def runner_for(
    root: Path,
    *,
    tool: str = "auto",
    folder: str = "",
    apply: str = "",
    rollback: str = "",
    table: str = "wttui_schema_migrations",
) -> Runner:
    from wttui.migrations.runner import ToolRunner
    from wttui.migrations.sql_runner import SqlMigrationTool

    adapter = ADAPTERS.get(tool)
    if tool == "auto":
        adapter = detect(root)
    if adapter is None:
        return _InterimRunner(SqlMigrationTool(root / (folder or "migrations"), table=table))
    locate = getattr(adapter, "folder", None)
    default = locate(root) if locate else adapter.default_dir
    return _InterimRunner(
        ToolRunner(
            adapter,
            root / (folder or default),
            apply=shlex.split(apply) or None,
            rollback=shlex.split(rollback) or None,
        )
    )


Runner = _InterimRunner
