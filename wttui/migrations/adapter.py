"""The one base class every migration tool's adapter extends, and the executor it runs with.

An adapter knows its tool, and nothing about wttui's UI or actions:
- where its migrations live in a worktree and how to read them (`local`): identity, name, file
  and, where the tool keeps one, the checksum in the tool's own format;
- how the tool records what it applied (`applied`): read from the tool's own state table exactly
  as the tool writes it, None when the table is missing ("nothing applied yet");
- how to apply and roll back: by default its CLI (`apply`, `rollback` commands, run in the
  worktree with its env by `commands.CommandExecutor`); wttui's own SQL runner instead runs the
  files in-process (its `executor`).

What a tool can and cannot do is declared here as class variables with defaults (`cumulative`,
`graph_ordered`, `refuse_modified`, `markers`, …), and the optional steps are methods with a
default (`folder`, `complete`, `same_checksum`, `resolve` — which by default cannot): an adapter
states only where its tool differs.
Everything else — merging both sides into states, checksums wttui records for tools that keep
none, owners, refusing a rollback of a migration that isn't here — lives in `runner.py`, once
for every tool. The design follows Harlequin's adapter base class (declared capabilities,
defaults in the base, third-party adapters through an entry point group: see `registry.py`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import MigrationState, MigrationStatus
from wttui.core.versions import leading_digits as leading_digits
from wttui.core.versions import version_key as version_key
from wttui.errors import Refused

if TYPE_CHECKING:
    import psycopg

Connection: TypeAlias = "psycopg.Connection[tuple[Any, ...]]"
"""A psycopg connection, named without importing psycopg: services and the CLI import this
module before the app's first frame, and psycopg loads only in the workers that connect."""


@dataclass(frozen=True)
class LocalMigration:
    """One migration in this worktree's folder."""

    version: str
    """The identity the tool's state table stores (a version, a folder name, a file name)."""
    name: str
    file: Path
    checksum: str | None = None
    """In the tool's own format, for tools that store one; None otherwise."""
    has_down: bool = True
    """False when the file itself says it has no down part (wttui's runner: no
    `-- migrate:down` section or `.down.sql` file); tools' CLIs decide for themselves."""


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
    applied_by: str | None = None
    """Who applied it, where the state table itself says (wttui's own runner does)."""
    unfinished: bool = False
    """FAILED part way outside a transaction (a run that crashed, or failed after some of its
    statements were committed): part of it may be in the database, so it must not simply run
    again (wttui's runner)."""


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


class Executor(ABC):
    """What actually changes the database: a tool's CLI, or wttui's runner in-process."""

    @property
    @abstractmethod
    def can_revert(self) -> bool:
        """False when there is no way to revert a migration (no rollback command)."""

    @abstractmethod
    def apply(
        self,
        conninfo: str,
        pending: Sequence[LocalMigration],
        *,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> tuple[str, ...] | None:
        """Apply the pending migrations (a CLI applies what it finds pending itself).

        Returns the versions this run applied when the executor knows them (in-process); None:
        the runner tells them from the state table before and after (a CLI says nothing
        reliable).

        Raises:
            MigrationFailed: a migration (or the tool) failed.
            Cancelled: the user cancelled.
        """

    @abstractmethod
    def revert(
        self,
        conninfo: str,
        migration: LocalMigration,
        *,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> None:
        """Revert `migration`, the newest applied one (a CLI reverts its own newest: the
        runner has checked that they are the same).

        Raises:
            MigrationFailed: the revert failed.
            Cancelled: the user cancelled.
        """


class Adapter(ABC):
    """One migration tool. Subclasses set `name`, `default_dir` and `out_of_order`, implement
    `detect`, `local` and `applied`, and override a default only where their tool differs."""

    name: ClassVar[str]
    """The `[migrations] tool` value (`prisma`, `dbmate`, …)."""
    default_dir: ClassVar[str]
    """Its migrations folder relative to the worktree, where the tool has a convention."""
    out_of_order: ClassVar[str]
    """What the tool does with a pending migration older than the newest applied one
    (applies it, skips it silently, fails), from its source: shown beside the flag."""
    apply: ClassVar[tuple[str, ...]] = ()
    """Default apply command (`[migrations] apply` overrides)."""
    rollback: ClassVar[tuple[str, ...] | None] = None
    """Default roll-back-one command; None: the tool has no down migrations (or none that
    one fixed command reverts: `[migrations] rollback` can still set one)."""
    markers: ClassVar[tuple[str, ...]] = ()
    """Paths relative to the worktree (files or folders) whose appearance, disappearance or
    change can change `detect`'s answer: detection is cached until one of them changes."""
    cumulative: ClassVar[bool] = False
    """The tool stores only how far it got (one version): a stored version implies every lower
    local one is applied (golang-migrate)."""
    graph_ordered: ClassVar[bool] = False
    """Identities are revision ids (Alembic), per-app names (Django) or plan entries (Sqitch),
    ordered by `local()`, not comparable as versions: never flagged out of order."""
    records_owners: ClassVar[bool] = True
    """wttui keeps who applied what (and file checksums) in its side table for this tool; False
    when the tool's own table already records it (wttui's runner)."""
    refuse_modified: ClassVar[bool] = False
    """Apply is refused while an applied migration's file was edited since (wttui's runner;
    the tools decide for themselves)."""
    down_part: ClassVar[str] = "down migration"
    """What a migration's file lacks when it cannot be reverted, for the refusal."""

    @classmethod
    def configured(cls, *, table: str) -> Adapter:
        """An instance with the `[migrations]` settings it reads; adapters read none by
        default (`table` is the built-in runner's tracking table)."""
        del table
        return cls()

    @abstractmethod
    def detect(self, root: Path) -> bool:
        """True when the repository at `root` uses this tool (look only below `markers`)."""

    @abstractmethod
    def local(self, folder: Path) -> list[LocalMigration]:
        """This worktree's migrations in the tool's order.

        Raises:
            MigrationFileError: the folder holds a migration the tool could not read either.
        """

    @abstractmethod
    def applied(self, conn: Connection) -> list[AppliedMigration] | None:
        """The state table's rows, oldest first; None when the table does not exist. Runs in
        a read-only session: only reads."""

    def folder(self, root: Path) -> Path | None:
        """The migrations folder the worktree's own config names; None: `default_dir`."""
        del root
        return None

    def complete(
        self, local: list[LocalMigration], rows: list[AppliedMigration]
    ) -> list[AppliedMigration]:
        """`rows` completed against the local migrations, for a tool whose table does not list
        every applied migration (Alembic's heads); unchanged by default."""
        del local
        return rows

    def same_checksum(self, local: LocalMigration, stored: str) -> bool:
        """Whether the file matches the stored checksum (tools differ in tolerance)."""
        return exact_checksum(local, stored)

    def resolve(self, request: ResolveRequest) -> Resolution:
        """How this tool marks `request.status` applied or rolled back without running it. The
        runner has already refused what no tool can do (marking applied what is applied, or
        rolled back what is not in the database); an adapter refuses what its tool can't.

        The default: this tool has no way, and wttui won't guess one.

        Raises:
            Refused: the tool cannot mark this migration so.
        """
        del request
        raise Refused(
            f"wttui does not know how {self.name} marks a migration without running it",
            hint=f"use {self.name}'s own command for it, if it has one",
        )

    def executor(self, folder: Path) -> Executor | None:
        """How this tool changes a database when not through its CLI; None (the default): the
        runner runs its `apply`/`rollback` commands (or the configured ones)."""
        del folder
        return None


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
