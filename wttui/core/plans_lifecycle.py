"""Plans of the database lifecycle commands (issue 9): what each will touch, decided before it
runs. Made by `wttui.plans_lifecycle` (which holds their rules), shown by `present`, executed by
`wttui.actions`. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wttui.core.models import DbTarget, MigrationStatus, Worktree

if TYPE_CHECKING:  # core.plans imports this module to name every plan
    from wttui.core.plans import Confirmation


@dataclass(frozen=True)
class SnapshotRef:
    """A snapshot as a plan names it (the store's record, without I/O types)."""

    name: str
    worktree: str
    method: str
    created: str
    migration: str
    size_bytes: int


@dataclass(frozen=True)
class TrashRef:
    """A trash item as a plan names it."""

    name: str
    kind: str
    original: str
    worktree: str
    branch: str | None
    path: str
    reason: str
    trashed: str
    worktree_removed: bool


@dataclass(frozen=True)
class SnapshotPlan:
    """`snapshot`: copy the worktree's database now."""

    worktree: Worktree
    target: DbTarget
    name: str
    method: str
    """`template` or `dump`, and why, in words."""
    sessions: int = 0
    beyond_keep: tuple[str, ...] = ()
    """Snapshots deleted afterwards by `[snapshots] keep`."""
    confirmation: Confirmation | None = None


@dataclass(frozen=True)
class SnapshotDeletePlan:
    """`snapshot --delete`."""

    snapshot: SnapshotRef
    confirmation: Confirmation | None = None


@dataclass(frozen=True)
class RestorePlan:
    """`restore`: the worktree's database replaced by a snapshot (the current state kept as a
    snapshot first, the replaced database in the trash)."""

    worktree: Worktree
    target: DbTarget
    snapshot: SnapshotRef
    snapshot_first: bool
    confirmation: Confirmation | None = None


@dataclass(frozen=True)
class UndoPlan:
    """`undo` / `trash restore`: one trash item back under its name."""

    item: TrashRef
    swap: bool
    """The original name is taken by a database made since (a reset): the two trade places."""
    readd_worktree: bool
    """The worktree was removed with it: it is added again on its branch."""
    path: str
    confirmation: Confirmation | None = None


@dataclass(frozen=True)
class PurgePlan:
    """`trash purge`: items dropped for good."""

    items: tuple[TrashRef, ...]
    older_than: str
    confirmation: Confirmation | None = None


@dataclass(frozen=True)
class ClonePlan:
    """`clone SRC DST`: DST's database replaced by a copy of SRC's."""

    source: Worktree
    source_target: DbTarget
    worktree: Worktree
    target: DbTarget
    method: str
    target_exists: bool
    confirmation: Confirmation | None = None


@dataclass(frozen=True)
class SeedPlan:
    """`seed`: the seed files and command run against the worktree's database."""

    worktree: Worktree
    target: DbTarget
    files: tuple[tuple[str, bool], ...]
    """Each configured file (rendered) and whether it exists."""
    command: str = ""
    shared: bool = False
    confirmation: Confirmation | None = None


@dataclass(frozen=True)
class DbTestPlan:
    """`test BRANCH -- CMD`: a throwaway `{database}_test`, migrated, CMD run against it."""

    worktree: Worktree
    target: DbTarget
    """The test database."""
    argv: tuple[str, ...]
    keep: bool = False
    exists: bool = False
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    """The managed keys pointing at the test database (holds a password)."""
    confirmation: Confirmation | None = None


@dataclass(frozen=True)
class RebuildPlan:
    """`rebuild --to M`: a new database migrated up to M, data copied, swapped in."""

    worktree: Worktree
    target: DbTarget
    to: MigrationStatus
    dropped: tuple[str, ...]
    """Applied migrations after M that the new database will not have."""
    snapshot_first: bool
    shared: bool = False
    shared_with: tuple[str, ...] = ()
    confirmation: Confirmation | None = None


@dataclass(frozen=True)
class TemplatesPrunePlan:
    """`templates prune`: templates no worktree would clone."""

    names: tuple[str, ...]
    confirmation: Confirmation | None = None


LifecyclePlan = (
    SnapshotPlan
    | SnapshotDeletePlan
    | RestorePlan
    | UndoPlan
    | PurgePlan
    | ClonePlan
    | SeedPlan
    | DbTestPlan
    | RebuildPlan
    | TemplatesPrunePlan
)
