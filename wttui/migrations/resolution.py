"""What `wttui resolve` asks of a migration tool's adapter, and what the adapter answers.

`resolve` marks a migration applied or rolled back without running it (a migration applied by
hand, or undone by hand). The runner merges the statuses and hands the adapter a
`ResolveRequest`; the adapter answers with a `Resolution`: the tool's own command, or the rows
written exactly as the tool writes them, and what the tool will believe afterwards. Refusals
(a tool that only knows how far it got cannot unmark one in the middle: `newest_only`) are
raised here, before anyone is asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wttui.core.models import MigrationState, MigrationStatus
from wttui.errors import Refused

if TYPE_CHECKING:
    from wttui.migrations.adapter import ApplyContext, Connection, LocalMigration

_IN_DATABASE = frozenset(
    (
        MigrationState.APPLIED,
        MigrationState.MODIFIED,
        MigrationState.APPLIED_ELSEWHERE,
        MigrationState.FAILED,
    )
)


@dataclass(frozen=True)
class ResolveRequest:
    """What `wttui resolve` asks of an adapter: mark `status` applied (or rolled back) without
    running it."""

    status: MigrationStatus
    """The migration as the runner merged it now."""
    applied: bool
    """True: `--applied`; False: `--rolled-back`."""
    local: LocalMigration | None
    """Its file in this worktree (None: the database has it, this folder doesn't)."""
    statuses: tuple[MigrationStatus, ...]
    """Every migration, in the tool's order (some tools mark a range: Alembic, Sqitch)."""
    migrations: tuple[LocalMigration, ...]
    """The worktree's migrations as `local()` read them (graph edges, for graph tools)."""
    context: ApplyContext
    """Who marks it (the built-in runner records it in its row)."""
    tracked: bool = True
    """The tool's state table exists (False: the tool never ran on this database)."""

    @property
    def name(self) -> str:
        """`003_add_users`, or the identity alone where the tool keeps no separate name."""
        status = self.status
        if not status.name or status.name in status.version:
            return status.version
        return f"{status.version}_{status.name}"

    def in_database(self) -> list[MigrationStatus]:
        """The migrations the database has (applied, modified, elsewhere, failed), in order."""
        return [s for s in self.statuses if s.state in _IN_DATABASE]

    def is_newest(self) -> bool:
        """Whether this migration is the newest one the database has (what a tool that only
        knows how far it got, or reverts to a target, can mark rolled back alone)."""
        found = self.in_database()
        return bool(found) and found[-1].version == self.status.version

    def pending_before(self) -> list[MigrationStatus]:
        """The not-applied migrations before this one (a tool marking a range marks them too)."""
        before: list[MigrationStatus] = []
        for status in self.statuses:
            if status.version == self.status.version:
                return before
            if status.state not in _IN_DATABASE:
                before.append(status)
        return before


@dataclass(frozen=True)
class Resolution:
    """How a tool marks a migration without running it: its own command, or the tool's own
    rows written exactly as the tool writes them (where it has no command)."""

    belief: str
    """What the tool will believe afterwards, in a sentence (the confirmation shows it)."""
    command: tuple[str, ...] | None = None
    """Run in the worktree with its env, as the apply command is."""
    write: Callable[[Connection], None] | None = field(default=None, compare=False)
    """Writes the rows, in a transaction the runner opens."""
    how: str = ""
    """The rows it writes, in words, when there is no command (shown by `--dry-run`)."""


def newest_only(request: ResolveRequest, tool: str, how: str) -> None:
    """Refuse to mark anything but the newest migration in the database rolled back, for a
    tool that `how` (stores only how far it got, reverts to a target, …).

    Raises:
        Refused: a newer migration is in the database.
    """
    if request.applied or request.is_newest():
        return
    newest = request.in_database()[-1]
    raise Refused(
        f"{tool} {how}: marking {request.name} rolled back would unmark {newest.version} (and "
        "whatever lies between) too",
        hint=f"mark {newest.version} rolled back first, newest first",
    )
