"""The housekeeping plans and reports: sync, orphans and their cleanup, doctor, git hooks.

Like `core.plans`: made by the rules (`wttui.plans_housekeeping`, `wttui.orphans`,
`wttui.doctor`), shown (`wttui.present_housekeeping`), confirmed, executed (`wttui.actions`).
Nothing here does I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from wttui.core.models import DbTarget, Worktree
from wttui.core.plans import Confirmation, EnvEdit, Plan

# -- sync --------------------------------------------------------------------------------------


class DbStep(enum.Enum):
    """What sync does about a worktree's database."""

    EXISTS = "exists"
    CREATE = "create"
    START = "start"
    """Its container exists but is stopped."""
    NONE = "none"
    """It has no database, on purpose (`strategy = "none"`): nothing to make."""
    HAND_OVER = "hand over"
    """It exists but belongs to another role than the one its worktree connects as (a copy made
    before wttui handed copies over): its worktree could not migrate it."""


@dataclass(frozen=True)
class SyncItem:
    """One worktree brought in line with its plan."""

    worktree: Worktree
    target: DbTarget
    env_file: Path
    database: DbStep
    env_edits: tuple[EnvEdit, ...] = ()
    hand_set: tuple[str, ...] = ()
    """Keys whose current value a user set by hand (replaced: the plan was forced)."""
    migrations: tuple[str, ...] = ()
    """The migrations a database created now gets (their labels, in order)."""
    migrations_error: str | None = None
    """Why its migrations could not be read (listed, for a database created now; the state
    table, for one that exists): sync then never calls the worktree in line."""

    @property
    def changes(self) -> tuple[EnvEdit, ...]:
        return tuple(edit for edit in self.env_edits if edit.changes)

    @property
    def in_line(self) -> bool:
        return self.database in (DbStep.EXISTS, DbStep.NONE) and not self.changes


@dataclass(frozen=True)
class SyncPlan:
    """`sync`: provision what is missing, write missing or stale `.env` keys, nothing else (a
    database created now is migrated, as `create` does)."""

    items: tuple[SyncItem, ...]
    force: bool = False
    skipped: tuple[tuple[str, str], ...] = ()
    """(worktree, why) for worktrees `--all` leaves alone (directory gone)."""
    confirmation: Confirmation | None = None


# -- orphans -----------------------------------------------------------------------------------


class OrphanKind(enum.Enum):
    DATABASE = "database"
    SCHEMA = "schema"
    CONTAINER = "container"
    VOLUME = "volume"
    TEMPLATE = "template"
    TRASH = "trash"
    WORKTREE = "worktree metadata"


@dataclass(frozen=True)
class Orphan:
    """Something that matches the project but belongs to no live worktree."""

    kind: OrphanKind
    name: str
    """Database, `db.schema`, container, volume or the worktree's path."""
    where: str
    """The server (`embedded 127.0.0.1:5433`), `Docker` or `git`."""
    label: str | None = None
    """The worktree it was made for, where known (a container's label, a path's name)."""
    size_bytes: int | None = None
    last_used: datetime | None = None
    used_how: str = ""
    """What `last_used` is: `last modified`, `last stopped`, `created`."""
    sessions: int = 0
    """Open sessions now (a database in use is never dropped without --force)."""
    target: DbTarget | None = None
    """What the strategy drops (a database, schema or container); None for volumes and git."""
    note: str = ""


@dataclass(frozen=True)
class OrphanReport:
    """`wttui orphans`: what was found, what could not be checked, and disk use."""

    orphans: tuple[Orphan, ...]
    unchecked: tuple[str, ...] = ()
    """One sentence per place that could not be read (server down, Docker unreachable)."""
    live_bytes: int | None = None
    """Disk used by the live worktrees' databases (each counted once); None: unknown."""

    @property
    def orphan_bytes(self) -> int:
        return sum(orphan.size_bytes or 0 for orphan in self.orphans)


@dataclass(frozen=True)
class CleanPlan:
    """`orphans --clean`: every item it removes, named, and the total freed."""

    orphans: tuple[Orphan, ...]
    unchecked: tuple[str, ...] = ()
    force: bool = False
    confirmation: Confirmation | None = None

    @property
    def freed_bytes(self) -> int:
        return sum(orphan.size_bytes or 0 for orphan in self.orphans)


# -- doctor ------------------------------------------------------------------------------------


class CheckStatus(enum.Enum):
    OK = "ok"
    INFO = "info"
    """Worth knowing, nothing wrong (an optional part not installed)."""
    WARN = "warn"
    FAIL = "fail"


class Fix(enum.Enum):
    """The safe fixes `doctor --fix` runs (after showing them)."""

    SYNC = "sync"
    START_SERVER = "start the embedded server"
    PRUNE = "prune git worktree metadata"
    PRIVATE_ENV = "make the env file private (0600)"


@dataclass(frozen=True)
class Check:
    """One doctor check: what was looked at, the verdict, and how to fix it."""

    name: str
    status: CheckStatus
    detail: str
    fix: str = ""
    """What to do, in words (a command where there is one)."""
    worktree: str | None = None
    safe_fix: Fix | None = None
    """The fix `--fix` may run for this check; None: only the words."""
    path: Path | None = None
    """The worktree (sync) or file (permissions) the safe fix acts on."""


@dataclass(frozen=True)
class DoctorReport:
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(check.status is not CheckStatus.FAIL for check in self.checks)


@dataclass(frozen=True)
class FixPlan:
    """`doctor --fix`: the safe fixes of the failed and warned checks."""

    checks: tuple[Check, ...]
    sync: SyncPlan | None = None
    confirmation: Confirmation | None = None


# -- git hooks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HooksPlan:
    """`hooks install|uninstall`: the hook file and what happens to it."""

    verb: str
    """`install` or `uninstall`."""
    hook: Path
    hooks_dir_source: str
    """Where the directory comes from (`core.hooksPath`, or the repository's `hooks/`)."""
    action: str
    """`create`, `append` (an existing hook keeps its lines), `update`, `remove` (the whole
    file: wttui made it), `strip` (only wttui's block), `none` (nothing to do)."""
    new_text: str | None = None
    """The hook file's content afterwards (None: removed)."""
    confirmation: Confirmation | None = None


HousekeepingPlan = SyncPlan | CleanPlan | FixPlan | HooksPlan
AnyPlan = Plan | HousekeepingPlan
"""Every plan the CLI and the app show, confirm and execute."""


# -- inspect -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    """One table (or view) of a worktree's database, as `inspect` lists it."""

    schema: str
    name: str
    kind: str
    """`table`, `partitioned table`, `view`, `materialized view`, `foreign table`."""
    rows: int | None
    """The planner's estimate; None when the table was never analysed."""
    size_bytes: int


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool
    default: str | None


@dataclass(frozen=True)
class TableDetail:
    """`inspect BRANCH TABLE`: columns, indexes and foreign keys."""

    table: TableRow
    columns: tuple[Column, ...]
    indexes: tuple[tuple[str, str], ...]
    """(name, definition)."""
    foreign_keys: tuple[tuple[str, str], ...]
    """(name, definition)."""
