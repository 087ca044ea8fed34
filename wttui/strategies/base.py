"""What every isolation strategy offers, so services and actions never ask which one it is.

A strategy turns a worktree label into a `DbTarget` (`plan`, no I/O but starting the embedded
server), reports what exists (`inventory`, one round trip for a whole refresh; `info` for one
target), makes it (`provision`) and removes it (`drop`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DatabaseInfo, DbTarget, TargetKey
from wttui.errors import AdoptableDatabase, Refused

if TYPE_CHECKING:
    from wttui.config_model import Config
    from wttui.providers.server import Server


class StrategyFactory(Protocol):
    """A strategy class as the registry hands it out."""

    def from_config(self, *, config: Config, server: Server, project: str) -> Strategy:
        """The strategy for `project`, configured from `config` (its server handle given)."""
        ...


class Strategy(Protocol):
    name: str
    description: ClassVar[str]
    """What a worktree gets, in words (`own database`), for panes and plans."""

    def plan(self, label: str) -> DbTarget: ...

    def inventory(self) -> dict[TargetKey, DatabaseInfo]:
        """Everything this strategy could hand out that exists now, with sizes."""
        ...

    def info(self, target: DbTarget) -> DatabaseInfo | None:
        """The target as it exists now, or None."""
        ...

    def provision(
        self,
        target: DbTarget,
        *,
        sink: LogSink,
        adopt: bool = False,
        owned: bool = False,
        cancel: CancelToken | None = None,
    ) -> bool:
        """Make sure the target exists; True when it was created now. `cancel`: a wait in it
        (a container starting) stops when it is set.

        Raises:
            Cancelled: `cancel` was set during a wait; what it made is removed.
            AdoptableDatabase: it exists, belongs to no worktree, and neither `adopt` nor
                `owned` is set (never for a shared target: sharing it is the point).
        """
        ...

    def drop(
        self, target: DbTarget, *, sink: LogSink, purge: bool = False, force: bool = False
    ) -> bool:
        """Remove the target; False when it was already gone. `purge` also removes data a
        cleanup policy would keep (a reset must start from nothing); `force` ends open
        sessions (without it, a database in use is refused).

        Raises:
            Refused: the target is shared.
            DatabaseInUse: it has open sessions and not `force`.
        """
        ...


def unowned(target: DbTarget, kind: str = "Database") -> AdoptableDatabase:
    """The error for a target that exists but belongs to no worktree (offered for adoption)."""
    return AdoptableDatabase(
        f"{kind} {target.label} already exists on {target.server} and belongs to no worktree",
        database=target.label,
        hint="adopt it (--adopt) to use it for this worktree, or drop it first",
    )


def refuse_shared(target: DbTarget, what: str) -> None:
    """The one guard every destructive path goes through (DESIGN's safety rules, F35)."""
    if target.shared:
        raise Refused(
            f"{target.label} is shared by several worktrees; wttui never {what}s a shared "
            "database from one worktree's action",
            hint='give this worktree its own database ([worktrees."BRANCH"] strategy = '
            '"database") and work there',
        )
