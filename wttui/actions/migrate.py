"""Migrate and roll back one worktree's database with its configured migration tool."""

from __future__ import annotations

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DbTarget, Worktree
from wttui.errors import DatabaseError, InvalidInput
from wttui.services import Services


def _existing_target(services: Services, ref: str) -> tuple[Worktree, DbTarget]:
    worktree = services.resolve(ref)
    target = services.target(worktree)
    if services.strategy_for(worktree.branch).info(target) is None:
        raise DatabaseError(
            f"Database {target.label} of {worktree.label} does not exist on {target.server}",
            hint=f"`wttui create {worktree.label}` provisions it",
        )
    return worktree, target


def migrate(services: Services, ref: str, *, sink: LogSink, cancel: CancelToken) -> int:
    """Apply the pending migrations of worktree `ref` to its database. Returns how many ran."""
    worktree, target = _existing_target(services, ref)
    sink.step(f"Migrate {target.label} on {target.server} from {worktree.label}")
    tool = services.migration_tool(worktree.path)
    applied = tool.apply(
        target.connect_url, context=services.apply_context(worktree), sink=sink, cancel=cancel
    )
    sink.line(f"{applied} migration(s) applied" if applied else "No pending migrations")
    return applied


def rollback(
    services: Services, ref: str, *, steps: int = 1, sink: LogSink, cancel: CancelToken
) -> int:
    """Roll back the newest `steps` migrations of worktree `ref`. Returns how many were reverted.

    Raises:
        InvalidInput: `steps` is not positive.
        Refused: a migration has no down section, or the newest one belongs to another worktree.
    """
    if steps < 1:
        raise InvalidInput(f"Cannot roll back {steps} migrations: give a number from 1 up")
    worktree, target = _existing_target(services, ref)
    sink.step(f"Roll back {steps} migration(s) of {target.label} on {target.server}")
    tool = services.migration_tool(worktree.path)
    reverted = tool.rollback(
        target.connect_url,
        steps=steps,
        context=services.apply_context(worktree),
        sink=sink,
        cancel=cancel,
    )
    sink.line(f"{reverted} migration(s) rolled back")
    return reverted
