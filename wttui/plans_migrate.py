"""The plans of `wttui migrate` and `wttui rollback`: a worktree's pending migrations applied
with its tool, its newest ones reverted (on a shared database, only its own). See `plans.py`
for how plans work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from wttui.core.models import MigrationState, MigrationStatus
from wttui.core.plans import Confirmation, MigratePlan, RollbackPlan
from wttui.errors import InvalidInput, Refused
from wttui.plans import require_database, sharing

if TYPE_CHECKING:
    from wttui.services import Services, WorktreeContext


def plan_migrate(services: Services, ref: str) -> MigratePlan:
    """Apply the worktree's pending migrations with its tool.

    Raises:
        DatabaseError: the database does not exist.
        Refused: the tool must not run now (a migration stopped part way outside a transaction;
            the built-in runner: an applied file was edited).
    """
    context = services.context_of(ref)
    require_database(context, "migrate")
    tool = context.tool
    statuses = tool.status(context.target.connect_url)
    tool.check_apply(statuses, worktree=context.label)
    waiting = (MigrationState.PENDING, MigrationState.ROLLED_BACK, MigrationState.FAILED)
    pending = tuple(status for status in statuses if status.state in waiting)
    pending, lint_note = _lint(services, context, pending)
    return MigratePlan(
        worktree=context.worktree,
        target=context.target,
        tool=tool.name,
        pending=pending,
        lint_note=lint_note,
    )


def _lint(
    services: Services, context: WorktreeContext, pending: tuple[MigrationStatus, ...]
) -> tuple[tuple[MigrationStatus, ...], str | None]:
    """The pending migrations with their lock-safety findings (shown before anything runs);
    a linter that is missing (said once per process) or failing is said, never a refusal."""
    from wttui.migrations.lint import (
        LinterMissing,
        LintSettings,
        LintUnavailable,
        lint_pending,
        once,
    )

    try:
        settings = LintSettings.of(services.config.migrations)
        return lint_pending(pending, settings, cwd=context.worktree.path), None
    except LinterMissing as exc:
        return pending, once(str(exc))
    except LintUnavailable as exc:
        return pending, str(exc)


def plan_rollback(services: Services, ref: str, *, steps: int = 1) -> RollbackPlan:
    """Revert the worktree's newest `steps` migrations with its tool.

    Raises:
        InvalidInput: `steps` is not positive.
        DatabaseError: the database does not exist.
        Refused: the tool has no down migrations; the newest applied migration is not in this
            worktree or has no down part; on a database another worktree uses, a migration this
            worktree did not apply.
    """
    if steps < 1:
        raise InvalidInput(f"Cannot roll back {steps} migrations: give a number from 1 up")
    entries = services.git.entries()
    context = services.context(services.resolve(ref, entries))
    require_database(context, "roll back")
    target = context.target
    tool = context.tool
    reverts = tool.rollback_targets(tool.status(target.connect_url), steps)
    shared_with = sharing(services, context, entries)
    if target.shared or shared_with:
        _refuse_foreign(context, reverts, shared_with)
    names = ", ".join(_migration_name(status) for status in reverts)
    question = f"Roll back {names} in database {target.label} on {target.server}?"
    shared = target.shared or bool(shared_with)
    return RollbackPlan(
        worktree=context.worktree,
        target=target,
        tool=tool.name,
        reverts=reverts,
        shared_with=shared_with,
        confirmation=Confirmation(
            question, typed=target.label if shared else None, yes="Roll back"
        ),
    )


def _refuse_foreign(
    context: WorktreeContext, reverts: Sequence[MigrationStatus], shared_with: Sequence[str]
) -> None:
    """On a shared database, only what this worktree applied may be rolled back from it."""
    mine = {context.worktree.label, context.worktree.branch}
    users = ", ".join(shared_with) or "other worktrees"
    for status in reverts:
        if status.applied_by not in mine:
            by = status.applied_by or "an unknown worktree"
            raise Refused(
                f"{_migration_name(status)} was applied by {by}, and {context.target.label} is "
                f"shared with {users}: wttui rolls back only this worktree's own migrations there",
                hint="roll it back from the worktree that applied it",
            )


def _migration_name(status: MigrationStatus) -> str:
    return f"{status.version}_{status.name}" if status.name else status.version
