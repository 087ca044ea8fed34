"""F14 sync: each worktree of the plan gets what is missing — its database (created and
migrated, or its container started) and the managed `.env` keys — and nothing else.

Idempotent: a worktree already in line is left untouched and reported as such. A hand edit of
the env file between the plan and now is never overwritten: the action stops before writing.
"""

from __future__ import annotations

from dataclasses import dataclass

from wttui.actions.create import say_excluded
from wttui.core.housekeeping import DbStep, SyncItem, SyncPlan
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DbTarget
from wttui.errors import Refused
from wttui.services import Services


@dataclass(frozen=True)
class Synced:
    """What sync did to one worktree (`sync --json`)."""

    branch: str | None
    path: str
    database: str
    """`exists`, `created`, `started` or `none` (no database, on purpose)."""
    env_changed: tuple[str, ...]
    migrations_applied: int = 0
    error: str | None = None
    """Why its migrations could not be read (sync changed nothing of them, and says so)."""


def sync(services: Services, plan: SyncPlan, *, sink: LogSink, cancel: CancelToken) -> list[Synced]:
    """Execute `plan`, one worktree after the other.

    Raises:
        Refused: an env file changed since the plan (nothing more is written).
        DatabaseUnavailable, DockerUnavailable, MigrationFailed, Cancelled.
    """
    done = []
    for item in plan.items:
        cancel.check()
        done.append(_one(services, item, sink=sink, cancel=cancel))
    for label, why in plan.skipped:
        sink.line(f"{label}: skipped, {why}", stream="warn")
    return done


def _one(services: Services, item: SyncItem, *, sink: LogSink, cancel: CancelToken) -> Synced:
    worktree = item.worktree
    target = item.target
    context = services.context(worktree, target=target)
    if item.in_line and item.database is DbStep.NONE:
        sink.line(f"{worktree.label}: no database (strategy none): nothing to sync")
        return Synced(worktree.branch, str(worktree.path), "none", ())
    if item.in_line and item.migrations_error:  # nothing sync can do, but not in line
        sink.line(
            f"{worktree.label}: {target.label} exists and {item.env_file.name} is up to date, "
            f"but its migrations cannot be read: {item.migrations_error}",
            stream="warn",
        )
        return Synced(
            worktree.branch, str(worktree.path), "exists", (), error=item.migrations_error
        )
    if item.in_line:
        sink.line(f"{worktree.label}: in line ({target.label}, {item.env_file.name} up to date)")
        return Synced(worktree.branch, str(worktree.path), "exists", ())
    database = "no database" if target.none else f"database {target.label}"
    sink.step(f"Sync {worktree.label} at {worktree.path} ({database})")
    if item.database in (DbStep.CREATE, DbStep.START):
        context.strategy.provision(target, sink=sink, owned=True, cancel=cancel)
    if item.database is DbStep.HAND_OVER:
        _hand_over(services, target, sink)
    cancel.check()
    changed = tuple(edit.key for edit in item.changes)
    if changed:
        now = services.env.read(context.env_file)
        moved = [edit.key for edit in item.env_edits if now.get(edit.key) != edit.old]
        if moved:
            raise Refused(
                f"{item.env_file} changed since sync was planned ({', '.join(moved)})",
                hint="run the sync again to see the new difference",
            )
        sink.line(f"Writing {', '.join(changed)} to {item.env_file}")
        say_excluded(services, worktree.path, sink)
        services.env.write(context, force=True)  # the plan decided: stale, or confirmed
    applied = 0
    if item.database is DbStep.CREATE:
        cancel.check()
        sink.step(f"Migrating {target.label}")
        applied = context.tool.apply(
            target.connect_url, context=context.apply_context(), sink=sink, cancel=cancel
        )
    outcome = {
        DbStep.CREATE: "created",
        DbStep.START: "started",
        DbStep.NONE: "none",
        DbStep.HAND_OVER: "handed over",
    }
    return Synced(
        worktree.branch,
        str(worktree.path),
        outcome.get(item.database, "exists"),
        changed,
        applied,
    )


def _hand_over(services: Services, target: DbTarget, sink: LogSink) -> None:
    """Give the database, and everything in it the admin made, to the worktree's role."""
    from wttui.lifecycle.ownership import hand_to_worktree, worktree_role

    sink.step(f"Handing {target.label} to {worktree_role(services.server, target)}")
    changed = hand_to_worktree(services.server, target)
    sink.line(f"{changed} object(s) changed hands: its worktree can migrate it again")
