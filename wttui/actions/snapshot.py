"""Snapshots (F24): take, delete, restore — and the automatic one before destructive steps.

A `template` snapshot is a frozen copy on the server (the measured clone method); a `dump` one
is `pg_dump -Fc` by the server's own major version into the data directory (the log says which
`pg_dump`). Restoring builds the replacement under a work name first, then swaps it in by
rename in one step; the replaced database goes to the trash (after a snapshot of it, unless
`[snapshots] before_destructive = false`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wttui.core.lifecycle_names import snapshot_name, work_name
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.plans_lifecycle import RestorePlan, SnapshotDeletePlan, SnapshotPlan
from wttui.core.urls import with_database
from wttui.errors import DatabaseInUse
from wttui.plans_lifecycle import snapshot_method
from wttui.services import Services, WorktreeContext

if TYPE_CHECKING:
    from wttui.lifecycle.snapshots import Snapshot


def _newest_migration(context: WorktreeContext) -> str:
    from wttui.core.models import MigrationState

    try:
        statuses = context.tool.status(context.target.connect_url)
    except Exception:  # noqa: BLE001 - a snapshot never fails for want of a migration name
        return ""
    applied = [s for s in statuses if s.state is MigrationState.APPLIED]
    if not applied:
        return ""
    newest = applied[-1]
    return f"{newest.version}_{newest.name}" if newest.name else newest.version


def take(
    services: Services,
    context: WorktreeContext,
    *,
    name: str,
    method: str,
    reason: str,
    sink: LogSink,
    cancel: CancelToken,
) -> Snapshot:
    """Snapshot the worktree's database now (the plan chose `method`)."""
    from wttui.lifecycle.snapshots import Snapshot

    target = context.target
    lifecycle = services.lifecycle
    store = lifecycle.snapshots
    now = datetime.now(UTC)
    migration = _newest_migration(context)
    if method == "template":
        try:
            return _template_snapshot(
                services, context, name, now, migration, reason, sink=sink, cancel=cancel
            )
        except DatabaseInUse as exc:
            sink.line(f"{exc.message}: taking a dump instead", stream="warn")
    from wttui.lifecycle.dumps import dump_database

    path = store.dump_path(context.label, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    url = _server_url(services, context)
    sink.step(f"Snapshot {name} of {target.label}: pg_dump -Fc into {path}")
    tool, size = dump_database(url, path, schema=target.schema, sink=sink, cancel=cancel)
    sink.line(f"{tool.label} wrote {size >> 10} KiB")
    snapshot = Snapshot(
        name=name,
        worktree=context.label,
        method="dump",
        kind=_kind(context),
        source=target.schema or target.name,
        created_at=now,
        size_bytes=size,
        migration=migration,
        reason=reason,
        file=str(path),
        tool=tool.label,
        container=target.container,
    )
    store.save(snapshot)
    return snapshot


def _kind(context: WorktreeContext) -> str:
    target = context.target
    if target.schema is not None:
        return "schema"
    return "container database" if target.container else "database"


def _server_url(services: Services, context: WorktreeContext) -> str:
    """A URL to the worktree's database itself, as wttui's admin (a container: its own)."""
    target = context.target
    if target.container:
        return with_database(target.admin, target.name)
    return with_database(services.server.admin_url(), target.name)


def _template_snapshot(
    services: Services,
    context: WorktreeContext,
    name: str,
    now: datetime,
    migration: str,
    reason: str,
    *,
    sink: LogSink,
    cancel: CancelToken,
) -> Snapshot:
    from wttui.lifecycle.clone import choose, copy_database
    from wttui.lifecycle.snapshots import Snapshot

    target = context.target
    copies = services.lifecycle.copies()
    info = copies.provider.get_database(target.name)
    size = (info.size_bytes or 0) if info else 0
    taken = {d.name for d in copies.listing("wttui_snap_")}
    database = snapshot_name(target.name, now, taken)
    method = choose(copies, size, services.config.database.clone_method)
    sink.step(f"Snapshot {name} of {target.label}: {database} with {method.words}")
    seconds = copy_database(copies, target.name, database, method, sink=sink, cancel=cancel)
    snapshot = Snapshot(
        name=name,
        worktree=context.label,
        method="template",
        kind="database",
        source=target.name,
        created_at=now,
        size_bytes=size,
        migration=migration,
        reason=reason,
        database=database,
        server_version=str(copies.version_num()),
    )
    copies.freeze(database, {"kind": "snapshot", "project": services.project, **snapshot.to_json()})
    services.lifecycle.snapshots.save(snapshot)
    sink.line(f"Copied in {seconds:.2f} s")
    return snapshot


def snapshot(services: Services, plan: SnapshotPlan, *, sink: LogSink, cancel: CancelToken) -> str:
    """Execute `plan`: take the snapshot, then apply `[snapshots] keep`. Returns its name."""
    context = services.context(plan.worktree, target=plan.target)
    taken = take(
        services,
        context,
        name=plan.name,
        method=plan.method,
        reason="manual",
        sink=sink,
        cancel=cancel,
    )
    _retain(services, context.label, sink=sink)
    sink.step(f"Snapshot {taken.name} of {plan.target.label} taken ({taken.method})")
    return taken.name


def before(
    services: Services, context: WorktreeContext, what: str, *, sink: LogSink, cancel: CancelToken
) -> Snapshot | None:
    """The automatic snapshot before a destructive step (`[snapshots] before_destructive`)."""
    if not services.config.snapshots.before_destructive:
        return None
    info = context.strategy.info(context.target)
    if info is None:
        return None
    from wttui.lifecycle.snapshots import default_name

    name = f"before-{what}-{default_name(datetime.now(UTC))}"
    method = snapshot_method(services, context, info.connections)
    taken = take(services, context, name=name, method=method, reason=what, sink=sink, cancel=cancel)
    _retain(services, context.label, sink=sink)
    return taken


def _retain(services: Services, label: str, *, sink: LogSink) -> None:
    store = services.lifecycle.snapshots
    for old in store.beyond(label, services.config.snapshots.keep):
        sink.line(
            f"Deleting snapshot {old.name} ([snapshots] keep = {services.config.snapshots.keep})"
        )
        _delete(services, old)


def _delete(services: Services, snapshot: Snapshot) -> None:
    if snapshot.database:
        services.lifecycle.copies().drop(snapshot.database, force=True)
    services.lifecycle.snapshots.forget(snapshot)


def delete(
    services: Services, plan: SnapshotDeletePlan, *, sink: LogSink, cancel: CancelToken
) -> None:
    """Execute `plan`: the snapshot's template database or dump file, and its record."""
    del cancel
    ref = plan.snapshot
    found = services.lifecycle.snapshots.find(ref.worktree, ref.name)
    if found is None:
        sink.line(f"Snapshot {ref.name} was already gone")
        return
    sink.step(f"Deleting snapshot {ref.name} of {ref.worktree}")
    _delete(services, found)


def restore(services: Services, plan: RestorePlan, *, sink: LogSink, cancel: CancelToken) -> None:
    """Execute `plan`: snapshot the current state, build the snapshot's copy, swap it in."""
    context = services.context(plan.worktree, target=plan.target)
    target = plan.target
    snapshot = services.lifecycle.snapshots.find(plan.snapshot.worktree, plan.snapshot.name)
    if snapshot is None:
        from wttui.errors import InvalidInput

        raise InvalidInput(f"Snapshot {plan.snapshot.name} is gone")
    sink.step(f"Restore {target.label} from snapshot {snapshot.name}")
    if plan.snapshot_first:
        before(services, context, "restore", sink=sink, cancel=cancel)
    cancel.check()
    from wttui.lifecycle.ownership import hand_to_worktree

    drops = services.lifecycle.soft_drops()
    if target.schema is not None:
        from wttui.lifecycle.dumps import restore_dump

        item = drops.trash(target, worktree=plan.worktree, reason="restore", sink=sink)
        try:
            restore_dump(
                with_database(services.server.admin_url(), target.name),
                Path(snapshot.file),
                sink=sink,
                cancel=cancel,
            )
            hand_to_worktree(services.server, target, schema=target.schema)
        except BaseException:
            sink.line(f"Restore failed: putting {item.original} back", stream="warn")
            drops.put_back(item, sink=sink)
            raise
        sink.step(f"{target.label} restored from {snapshot.name}")
        return
    admin = target.admin if target.container else services.server.admin_url()
    work = work_name("restore", target.name)
    from wttui.lifecycle.dumps import fill_from_snapshot

    fill_from_snapshot(
        admin,
        work,
        snapshot,
        clone_method=services.config.database.clone_method,
        sink=sink,
        cancel=cancel,
    )
    hand_to_worktree(services.server, target, work)  # a snapshot is the admin's; this is not
    drops.swap_in(target, work, worktree=plan.worktree, reason="restore", sink=sink)
    sink.step(
        f"{target.label} restored from {snapshot.name} ({snapshot.migration or 'no migrations'})"
    )
