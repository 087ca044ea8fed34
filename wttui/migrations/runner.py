"""`ToolRunner`: any adapter as a `MigrationTool` — one merge, one way to run commands.

Status reads the worktree's folder and the tool's own state table (never the tool's status
command: several hide edited and database-only migrations, and some create tables), then merges
them with wttui's side table of owners and checksums. Apply and roll back run the tool's own CLI
in the worktree with the worktree's database env, stream its output, and record who applied
what. A rollback whose target is not this worktree's own newest migration is refused: the tool
would revert a different migration than the user expects.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import MigrationState, MigrationStatus
from wttui.core.urls import url_parts, url_secrets, with_query
from wttui.errors import MigrationFailed, Refused, WttuiError
from wttui.migrations import owners
from wttui.migrations.adapter import (
    Adapter,
    AppliedMigration,
    Connection,
    LocalMigration,
    exact_checksum,
    implied,
    is_cumulative,
    is_graph_ordered,
    version_key,
)
from wttui.migrations.base import ApplyContext
from wttui.providers.postgres import PostgresProvider
from wttui.providers.process import stream


class ToolRunner:
    """One adapter bound to one worktree's folder, with the commands in force."""

    def __init__(
        self,
        adapter: Adapter,
        folder: Path,
        *,
        apply: Sequence[str] | None = None,
        rollback: Sequence[str] | None = None,
    ) -> None:
        self.adapter = adapter
        self.folder = folder
        self.name = adapter.name
        self.apply_command = tuple(apply) if apply else adapter.apply
        self.rollback_command = tuple(rollback) if rollback else adapter.rollback
        self.can_rollback = self.rollback_command is not None

    def watch_paths(self) -> list[Path]:
        return [self.folder]

    @contextmanager
    def _connect(self, conninfo: str) -> Iterator[Connection]:
        with PostgresProvider(conninfo).connect(autocommit=True) as conn:
            yield conn

    def _rows(self, conn: Connection, local: list[LocalMigration]) -> list[AppliedMigration]:
        """The tool's rows; for a cumulative tool, with the local versions below its one."""
        rows = self.adapter.applied(conn) or []
        complete = getattr(self.adapter, "complete", None)
        if complete is not None:  # a graph tool resolves its stored heads itself
            completed: list[AppliedMigration] = complete(local, rows)
            return completed
        return implied(local, rows) if is_cumulative(self.adapter) else rows

    # -- status ------------------------------------------------------------------------------

    def status(self, conninfo: str) -> tuple[MigrationStatus, ...]:
        local = self.adapter.local(self.folder)
        with self._connect(conninfo) as conn:
            rows = self._rows(conn, local)
            known = owners.read(conn, self.name)
            first_seen = self._unrecorded(local, rows, known)
            if first_seen:
                try:
                    owners.record(conn, self.name, first_seen, None)
                    known = owners.read(conn, self.name)
                except WttuiError:
                    pass  # a role that may not create tables: no edit detection, still a status
        statuses = merge(
            local,
            rows,
            known,
            has_down=self.can_rollback,
            same=self.adapter.same_checksum,
            graph=is_graph_ordered(self.adapter),
        )
        return tuple(
            replace(s, note=self.adapter.out_of_order) if s.out_of_order else s for s in statuses
        )

    def _unrecorded(
        self,
        local: list[LocalMigration],
        rows: list[AppliedMigration],
        known: dict[str, owners.Owner],
    ) -> list[tuple[str, str, str | None]]:
        """Applied migrations with their file here that wttui has no checksum of yet (only for
        tools that keep none: theirs is the reference otherwise)."""
        applied = {row.version for row in rows if row.state is MigrationState.APPLIED}
        return [
            (m.version, m.name, owners.file_checksum(m.file))
            for m in local
            if m.checksum is None and m.version in applied and m.version not in known
        ]

    # -- apply and roll back -----------------------------------------------------------------

    def apply(
        self, conninfo: str, *, context: ApplyContext, sink: LogSink, cancel: CancelToken
    ) -> int:
        files = self.adapter.local(self.folder)
        local = {m.version: m for m in files}
        with self._connect(conninfo) as conn:
            before = _applied_versions(self._rows(conn, files))
        try:
            self._run(self.apply_command, context, sink, cancel)
        finally:
            # Also when the tool failed or was cancelled half way: what it did apply is owned.
            with self._connect(conninfo) as conn:
                after = _applied_versions(self._rows(conn, files))
                new = sorted(after - before, key=version_key)
                owners.record(
                    conn,
                    self.name,
                    [
                        (v, local[v].name, owners.file_checksum(local[v].file))
                        for v in new
                        if v in local
                    ],
                    context,
                )
        for version in new:
            sink.line(f"Applied {version} {local[version].name if version in local else ''}")
        return len(new)

    def rollback(
        self,
        conninfo: str,
        *,
        steps: int,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> int:
        if self.rollback_command is None:
            raise Refused(
                f"{self.name} has no down migrations: wttui cannot roll back here",
                hint="write a new migration that undoes the change",
            )
        files = self.adapter.local(self.folder)
        local = {m.version for m in files}
        with self._connect(conninfo) as conn:
            rows = self._rows(conn, files)
            known = owners.read(conn, self.name)
        newest = sorted(_applied_versions(rows), key=self._order(files), reverse=True)[:steps]
        if not newest:
            sink.line("Nothing to roll back")
            return 0
        for version in newest:  # check every one before reverting any
            if version not in local:
                owner = known.get(version)
                holder = owner.label if owner and owner.label else None
                who = f" by {holder}" if holder else ""
                raise Refused(
                    f"The newest applied migration {version} was applied{who} and is not in "
                    f"this worktree: {self.name} would revert a different migration than the "
                    "one you expect",
                    hint=f"roll it back from {holder or 'the worktree that has it'}",
                )
        try:
            for _ in newest:
                cancel.check()
                self._run(self.rollback_command, context, sink, cancel)
        finally:
            with self._connect(conninfo) as conn:
                still = _applied_versions(self._rows(conn, files))
                gone = [v for v in newest if v not in still]
                owners.forget(conn, self.name, gone)
        return len(gone)

    def _order(self, files: list[LocalMigration]) -> Callable[[str], tuple[object, ...]]:
        """How migrations sort: by version, or for a graph tool by its own order (database-only
        ones last, so a rollback picks them first and is refused)."""
        if not is_graph_ordered(self.adapter):
            return version_key
        position = {m.version: i for i, m in enumerate(files)}
        return lambda version: (position.get(version, len(position)), version)

    def _run(
        self, command: Sequence[str], context: ApplyContext, sink: LogSink, cancel: CancelToken
    ) -> None:
        secrets = tuple(s for value in context.env.values() for s in url_secrets(value))
        sink.step(f"Running {shlex.join(command)} in {context.path}")
        status = stream(
            command,
            cwd=context.path,
            env={
                **os.environ,
                **{k: _local_without_ssl(v) for k, v in context.env.items()},
                # The folder in force, for commands that need it (`[migrations] dir`).
                "WTTUI_MIGRATIONS_DIR": str(self.folder),
            },
            sink=sink,
            cancel=cancel,
            secrets=secrets,
            missing_hint=f"install {self.name}, or set [migrations] apply/rollback to its command",
        )
        if status != 0:
            raise MigrationFailed(
                f"{shlex.join(command)} exited with status {status}",
                hint="its output is in the log above",
            )


def _local_without_ssl(value: str) -> str:
    """A URL to a server on this machine, told not to ask for SSL: the embedded cluster and
    per-worktree containers have none, and Go's lib/pq (dbmate, golang-migrate) insists by
    default. Other values, and URLs that say `sslmode` themselves, pass unchanged."""
    if not value.startswith(("postgres://", "postgresql://")) or "sslmode=" in value:
        return value
    if url_parts(value)["host"] not in ("127.0.0.1", "localhost", "::1"):
        return value
    return with_query(value, sslmode="disable")


def _applied_versions(rows: list[AppliedMigration]) -> set[str]:
    latest = {row.version: row for row in rows}  # rows come oldest first: the last one counts
    return {v for v, row in latest.items() if row.state is MigrationState.APPLIED}


def merge(
    local: list[LocalMigration],
    rows: list[AppliedMigration],
    known: dict[str, owners.Owner],
    *,
    has_down: bool,
    same: Callable[[LocalMigration, str], bool] = exact_checksum,
    graph: bool = False,
) -> tuple[MigrationStatus, ...]:
    """One status per migration in the folder or the table (F30), in version order."""
    by_local = {m.version: m for m in local}
    latest: dict[str, AppliedMigration] = {}
    first: dict[str, AppliedMigration] = {}
    for entry in rows:
        latest[entry.version] = entry
        first.setdefault(entry.version, entry)
    newest_applied = max(
        (version_key(v) for v, r in latest.items() if r.state is MigrationState.APPLIED),
        default=None,
    )
    statuses = []
    if graph:  # revision ids are no versions: the tool's own order, no out-of-order
        newest_applied = None
        position = {m.version: i for i, m in enumerate(local)}
        order = sorted(set(by_local) | set(latest), key=lambda v: (position.get(v, len(local)), v))
    else:
        order = sorted(set(by_local) | set(latest), key=version_key)
    for version in order:
        migration, row, owner = by_local.get(version), latest.get(version), known.get(version)
        state = _state(migration, row, first.get(version), owner, same)
        out_of_order = (
            state is MigrationState.PENDING
            and newest_applied is not None
            and version_key(version) < newest_applied
        )
        statuses.append(
            MigrationStatus(
                version=version,
                name=(migration.name if migration else row.name if row else ""),
                state=state,
                file=migration.file if migration else None,
                applied_at=row.applied_at if row else None,
                applied_by=owner.label if owner else None,
                error=row.error if row and state is MigrationState.FAILED else None,
                has_down=has_down,
                out_of_order=out_of_order,
            )
        )
    return tuple(statuses)


def _state(
    migration: LocalMigration | None,
    row: AppliedMigration | None,
    first_row: AppliedMigration | None,
    owner: owners.Owner | None,
    same: Callable[[LocalMigration, str], bool],
) -> MigrationState:
    if row is None:
        return MigrationState.PENDING
    if row.state is MigrationState.FAILED:
        return MigrationState.FAILED
    if row.state is MigrationState.ROLLED_BACK:
        return MigrationState.ROLLED_BACK if migration else MigrationState.APPLIED_ELSEWHERE
    if migration is None:
        return MigrationState.APPLIED_ELSEWHERE
    stored = (first_row or row).checksum
    if migration.checksum is not None and stored is not None:
        same_file = same(migration, stored)
        return MigrationState.APPLIED if same_file else MigrationState.MODIFIED
    if owner is not None and owner.checksum is not None:
        current = owners.file_checksum(migration.file)
        return MigrationState.APPLIED if current == owner.checksum else MigrationState.MODIFIED
    return MigrationState.APPLIED


from wttui.migrations.registry import Runner as Runner  # noqa: E402  (interim)
