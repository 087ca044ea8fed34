"""The `none` strategy: a worktree with no database, on purpose (seed 2's "Database: N/A").

Set per worktree (`[worktrees."epic4"] strategy = "none"`, or `wttui create BRANCH --no-db`,
which records it in git config). Its target names no database: the plans make nothing, drop
nothing, migrate nothing and write no `.env` key for it, and it never counts as sharing another
worktree's database. Every method here is therefore a no-op that says so: the plans keep the
rules, this only answers "nothing exists".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import NO_DATABASE, DatabaseInfo, DbTarget, TargetKey

if TYPE_CHECKING:
    from wttui.config_model import Config
    from wttui.providers.server import Server


class NoDatabaseStrategy:
    """Plans a target that is no database; inventories nothing; never provisions or drops."""

    name = NO_DATABASE
    description: ClassVar[str] = "no database"

    @classmethod
    def from_config(cls, *, config: Config, server: Server, project: str) -> NoDatabaseStrategy:
        del config, server, project  # nothing to configure: there is no database
        return cls()

    def plan(self, label: str) -> DbTarget:
        return DbTarget(
            strategy=self.name,
            name="",
            url="",
            masked_url="",
            server="no database",
            worktree=label,
            description=self.description,
        )

    def inventory(self) -> dict[TargetKey, DatabaseInfo]:
        return {}

    def info(self, target: DbTarget) -> DatabaseInfo | None:
        del target
        return None

    def provision(
        self,
        target: DbTarget,
        *,
        sink: LogSink,
        adopt: bool = False,
        owned: bool = False,
        cancel: CancelToken | None = None,
    ) -> bool:
        del adopt, owned, cancel
        sink.line(f"{target.worktree} has no database (strategy none): nothing to make")
        return False

    def drop(
        self, target: DbTarget, *, sink: LogSink, purge: bool = False, force: bool = False
    ) -> bool:
        del purge, force
        sink.line(f"{target.worktree} has no database (strategy none): nothing to drop")
        return False
