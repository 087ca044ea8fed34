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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import MigrationState
from wttui.core.versions import VersionKey as VersionKey
from wttui.core.versions import leading_digits as leading_digits
from wttui.core.versions import version_key as version_key
from wttui.errors import Refused
from wttui.migrations.resolution import Resolution, ResolveRequest

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
class Evidence:
    """Why a directory holds a project of a tool: the file that says so, and the migrations
    folder that file names (None: the tool's `default_dir` below the directory)."""

    file: Path
    folder: Path | None = None
    says: str = ""
    """What in the file decided, where it is more than its presence (`out: "./drizzle"`)."""
    base: Path | None = None
    """The tool's project directory, where its commands run, when it is not the directory the
    file was found in (a `migration_lock.toml` found inside the migrations folder)."""


TIMESTAMPED = r"^\d{14}_[a-z0-9]+(_[a-z0-9]+)*$"
"""The seed's `YYYYMMDDHHmmss_descriptive_name`: the convention of tools that name migrations
by a timestamp (Prisma, dbmate, Rails, Knex)."""
NUMBERED = r"^\d+_[a-z0-9]+(_[a-z0-9]+)*$"
"""A number (a sequence or a timestamp) and a snake_case description."""


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
    """wttui keeps who applied what (and file checksums) in its side table for this tool, which
    is also what tells a tracking row deleted by hand; False: wttui keeps nothing for it."""
    refuse_modified: ClassVar[bool] = False
    """Apply is refused while an applied migration's file was edited since (wttui's runner;
    the tools decide for themselves)."""
    down_part: ClassVar[str] = "down migration"
    """What a migration's file lacks when it cannot be reverted, for the refusal."""
    state_table: ClassVar[str | None] = None
    """Its state table as `to_regclass` takes it (`_prisma_migrations`,
    `drizzle.__drizzle_migrations`): a status read of any other tool looks for it, so a
    database holding this tool's state is never shown as "0 pending" when this tool went
    undetected."""
    out_of_order_fix: ClassVar[str] = ""
    """What to do about a migration the tool leaves pending because it is older than the newest
    applied one (said when a migrate ends with it still pending); empty: the tool applies it."""
    naming: ClassVar[str] = NUMBERED
    """The tool's own naming convention, a regular expression over `lint_name`: what
    `wttui drift` checks names against unless `[migrations] name_pattern` sets one."""
    tree_paths: ClassVar[tuple[str, ...]] = ()
    """What `local` reads below the folder (`fnmatch` patterns or folders), for reading a
    branch's migrations without checking it out; empty: everything in the folder."""

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

    def evidence(self, base: Path) -> Evidence | None:
        """Which file says the project at `base` (the worktree or a directory in it) uses this
        tool, and the folder it names; None: nothing does. By default `detect`, and its first
        marker that exists; a tool whose config names its folder says which and where."""
        if not self.detect(base):
            return None
        found = next((base / m for m in self.markers if m != "." and (base / m).exists()), base)
        return Evidence(found, self.folder(base))

    def order_key(self, version: str) -> VersionKey:
        """Where `version` sorts in the tool's own order: numbers as numbers by default (a
        tool that sorts file names as text says so), so versions of different lengths compare
        as the tool compares them."""
        return version_key(version)

    def sequence(self, migration: LocalMigration) -> str:
        """What two branches must not both give to different migrations (`wttui drift`'s
        collisions): the identity by default."""
        return migration.version

    def lint_name(self, migration: LocalMigration) -> str:
        """The name the team chose, as the naming convention sees it: the file name without
        its extensions, or the folder's name for a folder per migration (`migration.sql`)."""
        path = migration.file
        stem = path.name.split(".", 1)[0]
        return path.parent.name if stem == "migration" else stem

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

    def adopt(self, conn: Connection, context: ApplyContext) -> None:
        """A copy of another database (a template clone) becomes `context`'s: rewrite whatever
        the tool's own table says about who applied each row, as a replay by `context` would
        have written it. Nothing by default (most tools record no applier)."""
        del conn, context


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
