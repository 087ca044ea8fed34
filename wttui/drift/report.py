"""The drift report's parts: what `analysis.analyse` finds, `known.known_drift` tabulates, and
`wttui drift` prints (Markdown or JSON) — frozen values, no logic beyond naming."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from wttui.core.models import MigrationState
from wttui.core.versions import VersionKey, migration_label, version_key

Key = tuple[str, str]
"""A migration: its identity and its name."""


@dataclass(frozen=True)
class BranchMigration:
    """One migration of a branch, as the tool lists it (read through git)."""

    branch: str
    version: str
    name: str
    path: str
    sql: str | None = None
    """The up part of a SQL migration; None for migrations in other languages."""
    lint: str = ""
    """The name the convention applies to; '' means `version_name`."""
    sequence: str = ""
    """What no two migrations may share (the identity; Drizzle: the tag's number)."""

    @property
    def key(self) -> Key:
        return (self.version, self.name)

    @property
    def label(self) -> str:
        return migration_label(self.version, self.name)


@dataclass(frozen=True)
class ToolRules:
    """What drift needs to know about the tool (from its adapter)."""

    name: str = "sql"
    order: Callable[[str], VersionKey] = version_key
    """Its sort key of an identity."""
    note: str = ""
    """What it does with a migration older than the newest applied one (`out_of_order`)."""
    graph: bool = False
    """It orders by a revision graph or a plan: nothing is out of order by version."""
    naming: str = r"^\d+_[a-z0-9]+(_[a-z0-9]+)*$"
    """Its own naming convention (a regular expression over `BranchMigration.lint`)."""


@dataclass(frozen=True)
class Collision:
    version: str
    uses: tuple[tuple[str, str], ...]
    """(branch, name) pairs that give the version to different migrations."""


@dataclass(frozen=True)
class OutOfOrder:
    branch: str
    version: str
    name: str
    main_newest: str
    note: str = ""
    """What the tool does with it (Drizzle 0.x: silently never applies it)."""
    label: str = ""


@dataclass(frozen=True)
class TableConflict:
    branches: tuple[str, str]
    tables: tuple[str, ...]
    columns: tuple[str, ...] = ()
    """`table.column` both branches change, where the SQL names columns."""


@dataclass(frozen=True)
class NotEverywhere:
    worktree: str
    version: str
    name: str
    state: MigrationState
    found_in: tuple[str, ...] = ()
    applied_by: str | None = None
    out_of_order: bool = False
    """Pending and older than the newest applied one in this worktree's database."""
    note: str | None = None
    label: str = ""


@dataclass(frozen=True)
class NameWarning:
    branch: str
    version: str
    name: str
    reason: str
    label: str = ""


@dataclass(frozen=True)
class LintRule:
    """From `[migrations] name_pattern` (empty: the tool's own convention) and `vague_names`."""

    pattern: str
    vague: tuple[str, ...]


@dataclass(frozen=True)
class DriftMigration:
    """One row of the seed's "Known schema drift" table: a migration the main branch lacks."""

    version: str
    name: str
    label: str
    owner: str
    """Who applied it (wttui's side table), else the branches that add it; '' unknown."""
    status: str
    """Where it stands, in words."""
    branches: tuple[str, ...] = ()
    applied_in: tuple[str, ...] = ()
    """The worktrees whose database has it."""
    pending_in: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    parsed: bool | None = None
    """True: its SQL was parsed; False: not SQL (or not parsable); None: no branch has its file."""
    out_of_order: bool = False
    conflicts_with: tuple[str, ...] = ()
    date: str | None = None
    """`YYYY-MM-DD`: from its identity's timestamp, else when it was applied, else the commit
    that added it."""


@dataclass(frozen=True)
class LockRisk:
    """A lock-safety finding (squawk, `migrations.lint`) in a branch's new migration."""

    branch: str
    version: str
    name: str
    line: int
    rule: str
    message: str
    help: str | None = None


@dataclass(frozen=True)
class DriftReport:
    main: str
    not_everywhere: tuple[NotEverywhere, ...] = ()
    collisions: tuple[Collision, ...] = ()
    out_of_order: tuple[OutOfOrder, ...] = ()
    conflicts: tuple[TableConflict, ...] = ()
    unparsed: tuple[tuple[str, str], ...] = ()
    """(branch, path) of new migrations that are not SQL (or that the parser refused)."""
    merge_order: tuple[tuple[str, str], ...] = ()
    """(branch, its oldest new migration), the oldest first."""
    names: tuple[NameWarning, ...] = field(default_factory=tuple)
    migrations: tuple[DriftMigration, ...] = ()
    """The "Known schema drift" table."""
    tool: str = ""
    graph: bool = False
    problems: tuple[tuple[str, str], ...] = ()
    """(branch, why) of branches whose migrations the tool could not read."""
    lock_risks: tuple[LockRisk, ...] = ()
    """Lock-safety findings in the branches' new SQL migrations (empty: none, or no lint)."""
    lint_note: str | None = None
    """Why nothing was linted (squawk missing or failing, lint off), when that is so."""
