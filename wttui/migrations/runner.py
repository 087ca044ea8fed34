"""`Runner`: one adapter bound to one worktree's folder — status, apply and roll back, once for
every tool (wttui's own SQL runner included).

Status reads the worktree's folder and the tool's own state table (never the tool's status
command: several hide edited and database-only migrations, and some create tables) in a
read-only session, merges them with wttui's side table of owners and checksums, and writes
nothing. Apply and roll back go through the adapter's executor (the tool's CLI, or wttui's runner
in-process); afterwards the runner records who applied what, and the checksums of applied files
it had none of. Every refusal (an edited applied file for wttui's runner, a migration that
stopped part way outside a transaction, a rollback whose target is not this worktree's own
newest migration or has no down part) is decided by `policy.py` on the merged statuses, before
anything runs. Every run that changes the database holds its migration lock (`lock.py`) from
before it reads the state until it recorded what it did, whatever the tool: runs on one
database never overlap.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import MigrationStatus, MigrationWarning
from wttui.migrations import lock, owners, resolve
from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    ApplyContext,
    Connection,
    LocalMigration,
    implied,
)
from wttui.migrations.commands import CommandExecutor
from wttui.migrations.leftover import leftover
from wttui.migrations.lock import migration_lock
from wttui.migrations.merge import applied_versions, label, merge
from wttui.migrations.policy import check_apply, rollback_targets, running_now
from wttui.migrations.resolution import Resolution
from wttui.migrations.sessions import read_only as read_only
from wttui.migrations.warnings import other_tools, rows_gone, untracked_tables
from wttui.providers.postgres import PostgresProvider


@dataclass(frozen=True)
class MigrationRead:
    """A status read: every migration's state, and the warnings that go with them."""

    statuses: tuple[MigrationStatus, ...]
    warnings: tuple[MigrationWarning, ...] = ()


class Runner:
    """One adapter bound to one worktree's folder, with the commands in force."""

    def __init__(
        self,
        adapter: Adapter,
        folder: Path,
        *,
        apply: Sequence[str] | None = None,
        rollback: Sequence[str] | None = None,
        base: Path | None = None,
        source: str = "",
        also: tuple[str, ...] = (),
        others: tuple[Adapter, ...] = (),
    ) -> None:
        self.adapter = adapter
        self.folder = folder
        self.name = adapter.name
        self.base = base
        """The tool's project directory, where its commands run (None: the worktree)."""
        self.source = source
        """The file that decided the tool (`packages/prisma/schema.prisma`); '' when nothing did."""
        self.also = also
        """Other tools detection found (`drizzle in apps/api/drizzle.config.ts`)."""
        self.others = others
        """The other known tools, whose state tables a status read looks for."""
        self.executor = adapter.executor(folder) or CommandExecutor(
            adapter.name,
            folder,
            apply=tuple(apply) if apply else adapter.apply,
            rollback=tuple(rollback) if rollback else adapter.rollback,
            cwd=base,
        )
        self.can_rollback = self.executor.can_revert
        """False for tools without down migrations: the app then does not offer `b`."""
        self.commands = CommandExecutor(adapter.name, folder, apply=(), rollback=None)
        """The tool's CLI, for commands other than apply and roll back (`resolve`'s)."""

    def watch_paths(self) -> list[Path]:
        """Folders whose changes should refresh the Migrations pane (the folder first)."""
        return [self.folder]

    # -- reading -----------------------------------------------------------------------------

    @contextmanager
    def connect(self, conninfo: str) -> Iterator[Connection]:
        with PostgresProvider(conninfo).connect(autocommit=True) as conn:
            yield conn

    def rows(self, conn: Connection, local: list[LocalMigration]) -> list[AppliedMigration]:
        """The tool's rows, completed: lower local versions for a cumulative tool, the graph
        for a tool that stores heads."""
        return self._complete(local, self.adapter.applied(conn) or [])

    def _complete(
        self, local: list[LocalMigration], rows: list[AppliedMigration]
    ) -> list[AppliedMigration]:
        if self.adapter.cumulative:
            rows = implied(local, rows)
        return self.adapter.complete(local, rows)

    def known_owners(self, conn: Connection) -> dict[str, owners.Owner]:
        return owners.read(conn, self.name) if self.adapter.records_owners else {}

    def merged(
        self,
        local: list[LocalMigration],
        rows: list[AppliedMigration],
        known: dict[str, owners.Owner],
    ) -> tuple[MigrationStatus, ...]:
        statuses = merge(
            local,
            rows,
            known,
            has_down=self.can_rollback,
            same=self.adapter.same_checksum,
            graph=self.adapter.graph_ordered,
            order=self.adapter.order_key,
        )
        note = self.adapter.out_of_order
        return tuple(replace(s, note=note) if s.out_of_order else s for s in statuses)

    def status(self, conninfo: str) -> tuple[MigrationStatus, ...]:
        """Every migration known to the folder or the database, in the tool's order. Read-only:
        the session cannot write, and nothing is created (no side table, no rows).

        Raises:
            DatabaseUnavailable: the database cannot be reached.
            MigrationFileError: the folder holds a malformed migration.
        """
        return self.read(conninfo, warnings=False).statuses

    def local(self) -> list[LocalMigration]:
        """The folder's migrations in the tool's order (no database involved).

        Raises:
            MigrationFileError: the folder holds a malformed migration.
        """
        return self.adapter.local(self.folder)

    def read(
        self,
        conninfo: str,
        *,
        warnings: bool = True,
        local: list[LocalMigration] | None = None,
    ) -> MigrationRead:
        """`status`, and what the states alone would hide (`warnings.py`): a known tool's
        state table this tool doesn't read, tracking rows deleted by hand, other tools found.
        Read-only, in one session. `local`: the folder's migrations when read already (`local`).

        Raises:
            DatabaseUnavailable: the database cannot be reached.
            MigrationFileError: the folder holds a malformed migration.
        """
        local = self.local() if local is None else local
        found: list[MigrationWarning] = []
        with self.connect(read_only(conninfo)) as conn:
            raw = self.adapter.applied(conn) or []
            rows = self._complete(local, raw)
            known = self.known_owners(conn)
            statuses = self.merged(local, rows, known)
            if any(s.unfinished for s in statuses):
                statuses = running_now(statuses, lock.holder(conn))
            if warnings:
                found += untracked_tables(
                    conn, self.adapter, self.others, detected=bool(self.source)
                )
        if warnings:
            found = [
                *other_tools(self.also, self.name, self.source),
                *found,
                *rows_gone(self.adapter, local, raw, rows, known),
            ]
        return MigrationRead(statuses, tuple(found))

    # -- policy (pure: `policy.py`) --------------------------------------------------------------

    def check_apply(self, statuses: Sequence[MigrationStatus], *, worktree: str = "BRANCH") -> None:
        """`policy.check_apply` with this runner's tool (raises `Refused`)."""
        check_apply(self, statuses, worktree=worktree)

    def rollback_targets(
        self, statuses: Sequence[MigrationStatus], steps: int
    ) -> tuple[MigrationStatus, ...]:
        """`policy.rollback_targets` with this runner's tool (raises `Refused`)."""
        return rollback_targets(self, statuses, steps)

    # -- apply and roll back -----------------------------------------------------------------

    def apply(
        self, conninfo: str, *, context: ApplyContext, sink: LogSink, cancel: CancelToken
    ) -> int:
        """Apply every pending migration; returns how many ran.

        Raises:
            Refused: `check_apply` refuses (nothing ran).
            MigrationFailed: one failed (what went through before it stays, and is recorded).
            Cancelled: the user cancelled.
        """
        local = self.adapter.local(self.folder)
        with migration_lock(
            conninfo, who=f"wttui migrate {context.applier}", sink=sink, cancel=cancel
        ):
            return self._apply_locked(conninfo, local, context=context, sink=sink, cancel=cancel)

    def _apply_locked(
        self,
        conninfo: str,
        local: list[LocalMigration],
        *,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> int:
        with self.connect(conninfo) as conn:
            rows = self.rows(conn, local)
            known = self.known_owners(conn)
        statuses = self.merged(local, rows, known)
        self.check_apply(statuses, worktree=context.applier)
        to_apply = {s.version for s in statuses if s.state.to_run}
        pending = [m for m in local if m.version in to_apply]
        before = applied_versions(rows)
        done: tuple[str, ...] | None = None
        new: list[str] = []
        try:
            done = self.executor.apply(conninfo, pending, context=context, sink=sink, cancel=cancel)
        finally:
            # Also when the tool failed or was cancelled half way: what it did apply is owned.
            if self.adapter.records_owners:
                new = self._record(conninfo, local, before, known, context)
        if done is None:
            names = {m.version: m.name for m in local}
            for version in new:
                sink.line(f"Applied {label(version, names.get(version, ''))}")
        count = len(done) if done is not None else len(new)
        self.check_applied(conninfo, count)
        return count

    def check_applied(self, conninfo: str, count: int) -> None:
        """After an apply: read the state again; anything still to apply is an error that says
        which, why (the tool's own rule for an out-of-order migration), and what to do.

        Raises:
            MigrationFailed: a migration is still pending, failed or rolled back.
        """
        error = leftover(self.adapter, self.status(conninfo), count)
        if error is not None:
            raise error

    def _record(
        self,
        conninfo: str,
        local: list[LocalMigration],
        before: set[str],
        known: dict[str, owners.Owner],
        context: ApplyContext,
    ) -> list[str]:
        """Record the owner of each migration this run applied, and the checksum of applied
        files wttui had none of yet (their owner unknown); the side table is created by the
        first apply that has something to record. Returns the versions this run applied."""
        with self.connect(conninfo) as conn:
            after = applied_versions(self.rows(conn, local))
            return owners.record_run(conn, self.name, local, before, after, known, context)

    def rollback(
        self,
        conninfo: str,
        *,
        steps: int,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> int:
        """Revert the newest `steps` migrations; returns how many were reverted. Re-checks
        `rollback_targets` on the state read now, before reverting anything.

        Raises:
            Refused: `rollback_targets` refuses (nothing was reverted).
            MigrationFailed: a revert failed.
            Cancelled: the user cancelled.
        """
        local = self.adapter.local(self.folder)
        with migration_lock(
            conninfo, who=f"wttui rollback {context.applier}", sink=sink, cancel=cancel
        ):
            return self._rollback_locked(
                conninfo, local, steps=steps, context=context, sink=sink, cancel=cancel
            )

    def _rollback_locked(
        self,
        conninfo: str,
        local: list[LocalMigration],
        *,
        steps: int,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> int:
        with self.connect(conninfo) as conn:
            rows = self.rows(conn, local)
            known = self.known_owners(conn)
        targets = self.rollback_targets(self.merged(local, rows, known), steps)
        if not targets:
            sink.line("Nothing to roll back")
            return 0
        by_version = {m.version: m for m in local}
        gone: list[str] = []
        try:
            for status in targets:
                cancel.check()
                self.executor.revert(
                    conninfo,
                    by_version[status.version],
                    context=context,
                    sink=sink,
                    cancel=cancel,
                )
        finally:
            with self.connect(conninfo) as conn:
                still = applied_versions(self.rows(conn, local))
                gone = [s.version for s in targets if s.version not in still]
                if self.adapter.records_owners:
                    owners.forget(conn, self.name, gone)
        return len(gone)

    def adopt(self, conninfo: str, context: ApplyContext) -> None:
        """A copy of another database (a template clone) becomes `context`'s: the tool's own
        applier columns and wttui's side table say `context` applied what is there, as a replay
        would. Nothing is applied or reverted."""
        with self.connect(conninfo) as conn:
            self.adapter.adopt(conn, context)
            if self.adapter.records_owners:
                owners.adopt(conn, self.name, context)

    # -- resolve -----------------------------------------------------------------------------

    def resolution(
        self, conninfo: str, ref: str, *, applied: bool, context: ApplyContext
    ) -> tuple[MigrationStatus, Resolution]:
        """The migration `ref` names and how the tool marks it applied or rolled back without
        running it (`resolve.resolution`). Only reads, in a read-only session.

        Raises:
            InvalidInput: `ref` names no migration, or several.
            Refused: nothing to mark, or the tool cannot mark it so.
            DatabaseUnavailable: the database cannot be reached.
        """
        return resolve.resolution(self, read_only(conninfo), ref, applied=applied, context=context)

    def resolve(
        self,
        conninfo: str,
        ref: str,
        *,
        applied: bool,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> MigrationStatus:
        """Mark the migration under the migration lock (`resolve.run`); returns it as it is now.

        Raises:
            InvalidInput, Refused: as `resolution`, on the state read under the lock.
            MigrationFailed: the tool's command failed, or the state did not change.
            Cancelled: the user cancelled.
        """
        with migration_lock(
            conninfo, who=f"wttui resolve {context.applier}", sink=sink, cancel=cancel
        ):
            return resolve.run(
                self, conninfo, ref, applied=applied, context=context, sink=sink, cancel=cancel
            )
