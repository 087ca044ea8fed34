"""Frozen value objects that cross every layer: what providers return and what panes render.

Providers build them, `services` joins them into one `WorktreeView` per worktree, refresh
workers post tuples of views to the app, and the CLI prints them as JSON. Nothing here does I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple


@dataclass(frozen=True)
class Worktree:
    """One git worktree as `git worktree list` knows it, plus its working-tree state."""

    path: Path
    """Absolute path of the worktree's top directory."""
    branch: str | None
    """Short branch name (`feat/user-auth`), or None when HEAD is detached."""
    head: str
    """Full commit SHA of HEAD ('' for a worktree with no commit yet)."""
    is_main: bool = False
    """True for the repository's main worktree (the one holding `.git`)."""
    dirty: bool | None = None
    """Uncommitted changes (tracked or untracked); None when it could not be read (prunable)."""
    ahead: int | None = None
    """Commits on the branch not on its upstream; None without an upstream."""
    behind: int | None = None
    """Commits on the upstream not on the branch; None without an upstream."""
    locked: bool = False
    lock_reason: str | None = None
    prunable: bool = False
    """The worktree's directory is gone; `git worktree prune` would remove its metadata."""
    prune_reason: str | None = None
    last_commit_at: datetime | None = None
    """Committer date of HEAD, timezone-aware."""
    last_commit_subject: str | None = None

    @property
    def label(self) -> str:
        """What the user calls this worktree: its branch, or its directory when detached."""
        return self.branch or self.path.name


@dataclass(frozen=True)
class DatabaseInfo:
    """A database on the server as the catalog reports it."""

    name: str
    size_bytes: int | None = None
    connections: int = 0
    owner: str | None = None
    is_template: bool = False
    state: str | None = None
    """For a container's database: the container's state (`running`, `exited`, …)."""
    volume: str | None = None
    """For a container's database: its data volume."""
    volume_bytes: int | None = None
    """The data volume's size on disk, where the engine reported it."""


NO_DATABASE = "none"
"""The strategy of a worktree that has no database on purpose (`strategy = "none"`)."""


class DbStatus(enum.Enum):
    """Whether the database a worktree should use is there."""

    PRESENT = "present"
    MISSING = "missing"
    UNREACHABLE = "unreachable"
    """The server could not be reached, so presence is unknown."""
    STOPPED = "stopped"
    """Its container exists but is not running (container strategy)."""
    NONE = "none"
    """The worktree has no database, on purpose (`strategy = "none"`)."""


class TargetKey(NamedTuple):
    """What two worktrees must share to share data."""

    container: str
    """The Docker container ('' when the database is on a server)."""
    database: str
    schema: str | None


@dataclass(frozen=True)
class DbTarget:
    """Where a worktree's database lives, as planned by its isolation strategy."""

    strategy: str
    """`database` (one per worktree), `schema` (one schema per worktree in one database),
    `shared` (one database for several worktrees on purpose)."""
    name: str
    """Database name, already sanitised and ≤ 63 bytes."""
    url: str
    """The URL the worktree's app gets (in `.env`), with password. Never print it: use
    `masked_url`. For the schema strategy it ends in `?schema=NAME` (Prisma's form)."""
    masked_url: str
    """The URL with its password replaced by `***`, safe to show and log."""
    server: str
    """Human label of the server (`embedded 127.0.0.1:5433`, `db.internal:5432`)."""
    schema: str | None = None
    """The worktree's schema (schema strategy only)."""
    conninfo: str = ""
    """What wttui itself connects with (the schema strategy sets `search_path` here, as a
    libpq option, since libpq rejects `?schema=`). Empty: same as `url`."""
    container: str | None = None
    """The worktree's Docker container (container strategy only)."""
    admin: str = field(default="", repr=False)
    """A container's own superuser, to its maintenance database: what wttui itself creates,
    copies and drops databases in the container with. Never in `.env` (the worktree gets its
    login role, `url`). Empty for the other strategies (their admin is the server's)."""
    worktree: str = ""
    """The label of the worktree it was planned for."""
    shared: bool = False
    """Several worktrees use this database on purpose: it is never dropped or reset from one
    worktree's action."""
    description: str = ""
    """What the strategy gives the worktree, in words (`own database`)."""
    compose_project: str | None = None
    """The `docker compose` project of a compose-made container (its
    `com.docker.compose.project` label): what `COMPOSE_PROJECT_NAME` must say."""
    port_note: str = ""
    """Why the container's port is not the one its worktree prefers (a clash moved it), in
    words for the log and the Database pane; '' when it is."""
    port_clash: str = ""
    """Who holds the port pinned for this worktree's container, which is not made yet: a
    create is refused until it is free (a pinned port never moves)."""

    @property
    def none(self) -> bool:
        """The worktree has no database on purpose (`strategy = "none"`): nothing to make,
        drop, migrate or share."""
        return self.strategy == NO_DATABASE

    @property
    def connect_url(self) -> str:
        return self.conninfo or self.url

    @property
    def key(self) -> TargetKey:
        """What two worktrees must share to share data: container, database and schema."""
        return TargetKey(self.container or "", self.name, self.schema)

    @property
    def label(self) -> str:
        """`db`, `db.schema` or `container/db`, as panes and messages name it."""
        if self.container:
            return f"{self.container}/{self.name}"
        return f"{self.name}.{self.schema}" if self.schema else self.name


class MigrationState(enum.Enum):
    """One migration's status, merged from the worktree's folder and the database's table."""

    APPLIED = "applied"
    PENDING = "pending"
    APPLIED_ELSEWHERE = "applied_elsewhere"
    """In the database's tracking table, not in this worktree's folder."""
    MODIFIED = "modified"
    """Applied, but the file's checksum differs from the one recorded at apply time."""
    FAILED = "failed"
    ROLLED_BACK = "rolled_back"

    @property
    def to_run(self) -> bool:
        """A migrate would run it (pending, failed, rolled back): the linter looks at these."""
        return self in (MigrationState.PENDING, MigrationState.FAILED, MigrationState.ROLLED_BACK)


@dataclass(frozen=True)
class LintFinding:
    """One lock-safety finding of the migration linter (squawk) in a pending migration."""

    line: int
    """1-based line of the migration's file."""
    rule: str
    """The linter's rule (`require-concurrent-index-creation`)."""
    message: str
    """What is unsafe."""
    help: str | None = None
    """The safer pattern, where the linter gives one."""


@dataclass(frozen=True)
class MigrationStatus:
    """One row of the Migrations pane."""

    version: str
    name: str
    state: MigrationState
    file: Path | None = None
    """The migration file in this worktree, None when applied elsewhere."""
    applied_at: datetime | None = None
    applied_by: str | None = None
    """`branch@worktree` that applied it, where known."""
    error: str | None = None
    """For FAILED: the PostgreSQL error with file and line."""
    has_down: bool = False
    out_of_order: bool = False
    """Pending, but older than the newest applied migration (merged in after it)."""
    note: str | None = None
    """What the tool will do about it (for an out-of-order migration)."""
    found_in: tuple[str, ...] = ()
    """For a migration applied elsewhere: the worktrees and branches whose folder has it."""
    lint: tuple[LintFinding, ...] = ()
    """Lock-safety findings of a migration still to run (empty: none, or not linted)."""
    unfinished: bool = False
    """FAILED part way outside a transaction (wttui's runner: a file with its own COMMIT that
    crashed or failed after committing some statements): part of it may be in the database,
    so `migrate` refuses to run it again until `wttui resolve` marks it."""


@dataclass(frozen=True)
class MigrationWarning:
    """Something about a worktree's migrations that its counts alone would hide."""

    kind: str
    """`untracked_state_table`: the database holds a known tool's state table that the tool in
    force doesn't read (its counts say nothing about those migrations); `row_gone`: wttui saw
    the migration applied and its tracking row is gone (the tool will apply it again);
    `other_tools`: detection found more than one tool."""
    message: str
    hint: str = ""
    version: str | None = None
    """The migration concerned (`row_gone`)."""
    short: str = ""
    """The gist in a few words, for a line of a narrow pane ('' : the message)."""


@dataclass(frozen=True)
class MigrationCounts:
    """Totals for `status --json` and the Worktrees pane's summary column."""

    applied: int = 0
    pending: int = 0
    applied_elsewhere: int = 0
    modified: int = 0
    failed: int = 0

    @classmethod
    def of(cls, statuses: tuple[MigrationStatus, ...]) -> MigrationCounts:
        """Count each state (rolled-back migrations count as pending: they can run again)."""
        counts = dict.fromkeys(("applied", "pending", "applied_elsewhere", "modified", "failed"), 0)
        for status in statuses:
            key = "pending" if status.state is MigrationState.ROLLED_BACK else status.state.value
            counts[key] += 1
        return cls(**counts)

    def nonzero(self) -> list[tuple[MigrationState, int]]:
        """(state, count) for each state with a count, applied always first, in display order."""
        pairs = [
            (MigrationState.APPLIED, self.applied),
            (MigrationState.PENDING, self.pending),
            (MigrationState.APPLIED_ELSEWHERE, self.applied_elsewhere),
            (MigrationState.MODIFIED, self.modified),
            (MigrationState.FAILED, self.failed),
        ]
        return pairs[:1] + [(state, n) for state, n in pairs[1:] if n]


@dataclass(frozen=True)
class EnvState:
    """What the worktree's env file says about its database."""

    path: Path
    exists: bool
    database_url: str | None = None
    """The current DATABASE_URL value (with password: mask before showing)."""
    matches: bool = False
    """True when every managed key already holds the value wttui would write."""
    error: str | None = None
    """Why the file could not be read (a directory, not UTF-8, …); None when it could."""
    known: bool = True
    """False when what wttui would write could not be worked out (the server or the Docker
    engine unreachable): `matches` then says nothing, and the file is shown as unknown."""


@dataclass(frozen=True)
class WorktreeView:
    """Everything the app and `status` show for one worktree: the joined read model."""

    worktree: Worktree
    target: DbTarget | None
    """None when the name cannot be planned (e.g. the config has no usable server)."""
    db_status: DbStatus = DbStatus.UNREACHABLE
    database: DatabaseInfo | None = None
    migrations: tuple[MigrationStatus, ...] = ()
    env: EnvState | None = None
    shared_with: tuple[str, ...] = ()
    """Labels of the other worktrees whose target is the same database."""
    errors: tuple[str, ...] = ()
    """Refresh problems for this worktree, one sentence each (shown as a badge)."""
    tool: str | None = None
    """The migration tool in force for this worktree (`sql`, `prisma`, …), once read."""
    tool_source: str | None = None
    """The file that decided the tool (`packages/prisma/schema.prisma`); '' when nothing did
    (wttui's own runner)."""
    tool_folder: Path | None = None
    """The migrations folder in force."""
    migration_warnings: tuple[MigrationWarning, ...] = ()
    """What the migration counts alone would hide (read with them, never written)."""

    @property
    def counts(self) -> MigrationCounts:
        return MigrationCounts.of(self.migrations)


@dataclass(frozen=True)
class RepoSnapshot:
    """One full refresh: every worktree's view, in `git worktree list` order."""

    root: Path
    project: str
    server: str
    views: tuple[WorktreeView, ...] = ()
    server_error: str | None = None
    """Set when the server was unreachable during this refresh."""
    orphans: tuple[DatabaseInfo, ...] = field(default_factory=tuple)
    """Databases matching the project's name pattern that no worktree targets."""
    watched: tuple[Path, ...] = ()
    """What the app watches to refresh on change: worktree metadata, migration folders, env
    files."""
