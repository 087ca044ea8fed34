"""`Runner`: one adapter bound to one worktree's folder — status, apply and roll back, once for
every tool (wttui's own SQL runner included).

Status reads the worktree's folder and the tool's own state table (never the tool's status
command: several hide edited and database-only migrations, and some create tables) in a
read-only session, merges them with wttui's side table of owners and checksums, and writes
nothing. Apply and roll back go through the adapter's executor (the tool's CLI, or wttui's runner
in-process); afterwards the runner records who applied what, and the checksums of applied files
it had none of. Every refusal (an edited applied file for wttui's runner, a migration that
stopped part way outside a transaction, a rollback whose target is not this worktree's own
newest migration or has no down part) is decided by `check_apply` and `rollback_targets` on
the merged statuses, before anything runs. Every run that changes the database holds its
migration lock (`lock.py`) from before it reads the state until it recorded what it did,
whatever the tool: runs on one database never overlap.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import MigrationState, MigrationStatus, MigrationWarning
from wttui.errors import Refused
from wttui.migrations import lock, owners, resolve
from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    ApplyContext,
    Connection,
    LocalMigration,
    Resolution,
    implied,
    version_key,
)
from wttui.migrations.commands import CommandExecutor
from wttui.migrations.leftover import leftover
from wttui.migrations.lock import migration_lock
from wttui.migrations.merge import APPLIED_STATES, applied_versions, label, merge
from wttui.migrations.sessions import read_only as read_only
from wttui.migrations.warnings import other_tools, rows_gone, untracked_tables
from wttui.providers.postgres import PostgresProvider

_TO_APPLY = frozenset((MigrationState.PENDING, MigrationState.FAILED, MigrationState.ROLLED_BACK))


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
                statuses = _running(statuses, lock.holder(conn))
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

    # -- policy (pure) -----------------------------------------------------------------------

    def check_apply(self, statuses: Sequence[MigrationStatus], *, worktree: str = "BRANCH") -> None:
        """Raises:
        Refused: applying must not start: a migration stopped part way outside a transaction
            (it would run again over what it already did), or (wttui's runner) an applied
            file was edited since. `worktree` names the worktree in the way out.
        """
        for status in statuses:
            if status.unfinished:
                raise Refused(
                    f"{label(status)} did not finish: {status.error}; refusing to run it again",
                    hint=f"check what it changed, then `wttui resolve {worktree} {status.version} "
                    "--applied` (it all went through) or `--rolled-back` (after undoing it by "
                    "hand: the next migrate runs it again)",
                )
        if not self.adapter.refuse_modified:
            return
        edited = [
            s.file.name if s.file else s.version
            for s in statuses
            if s.state is MigrationState.MODIFIED
        ]
        if edited:
            raise Refused(
                f"{', '.join(edited)} changed after it was applied; refusing to migrate",
                hint="restore the file, or add a new migration for the change",
            )

    def rollback_targets(
        self, statuses: Sequence[MigrationStatus], steps: int
    ) -> tuple[MigrationStatus, ...]:
        """The migrations a rollback of `steps` reverts, newest first (the tool's order, which
        is the order of `statuses`); empty when nothing is applied. Every one is checked before
        any is reverted.

        Raises:
            Refused: the tool has no down migrations here; the newest applied migration is not
                in this worktree (the tool would revert a different one than the user expects);
                or a target has no down part.
        """
        if not self.can_rollback:
            raise Refused(
                f"{self.name} has no down migrations: wttui cannot roll back here",
                hint="write a new migration that undoes the change, or set [migrations] "
                "rollback to the command that rolls back one",
            )
        targets = tuple(s for s in reversed(statuses) if s.state in APPLIED_STATES)[:steps]
        for status in targets:
            if status.file is None:
                holder = status.applied_by
                who = f" by {holder}" if holder else ""
                raise Refused(
                    f"The newest applied migration {label(status)} was applied{who} and is not "
                    "in this worktree: rolling back here would revert a different migration "
                    "than the one you expect",
                    hint=f"roll it back from {holder or 'the worktree that has it'}",
                )
            if not status.has_down:
                raise Refused(
                    f"{label(status)} has no down migration (its file {status.file.name} has "
                    f"no {self.adapter.down_part})",
                    hint="write a new migration that undoes it",
                )
        return targets

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
        to_apply = {s.version for s in statuses if s.state in _TO_APPLY}
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
        by_version = {m.version: m for m in local}
        with self.connect(conninfo) as conn:
            after = applied_versions(self.rows(conn, local))
            new = sorted(after - before, key=version_key)
            # Every applied migration wttui had no row of: remembered, so that a tracking row
            # deleted by hand later is noticed (and, for tools that store no checksum of their
            # own, its file's checksum gives edit detection).
            first_seen = [
                (m.version, m.name, owners.file_checksum(m.file))
                for m in local
                if m.version in after and m.version not in known and m.version not in new
            ]
            owners.record(conn, self.name, first_seen, None)
            owners.record(
                conn,
                self.name,
                [
                    (v, by_version[v].name, owners.file_checksum(by_version[v].file))
                    for v in new
                    if v in by_version
                ],
                context,
            )
        return new

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

    def local_migrations(self) -> list[LocalMigration]:
        """This worktree's migrations in the tool's order (what the template cache hashes).

        Raises:
            MigrationFileError: the folder holds a malformed migration.
        """
        return self.adapter.local(self.folder)

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


def _running(
    statuses: tuple[MigrationStatus, ...], holder: lock.Holder | None
) -> tuple[MigrationStatus, ...]:
    """While a run holds the database's migration lock, an unfinished migration is most likely
    that run's, still going: said so, and not refused (the run that waits for the lock looks
    again once it has it)."""
    if holder is None:
        return statuses
    now = f"; a migration run holds the lock now ({holder.describe()}): probably that one"
    return tuple(
        replace(s, unfinished=False, error=f"{s.error}{now}") if s.unfinished else s
        for s in statuses
    )
