"""The rules a migration run checks before it starts (pure: they read statuses, not the
database): `check_apply` before applying, `rollback_targets` before rolling back, both on the
merged statuses (`merge.py`), in the plan and again under the migration lock; and
`running_now`, which tells an unfinished migration of a run still going from one that stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from wttui.core.models import MigrationState, MigrationStatus
from wttui.errors import Refused
from wttui.migrations import lock
from wttui.migrations.merge import APPLIED_STATES, label

if TYPE_CHECKING:
    from wttui.migrations.runner import Runner


def check_apply(
    runner: Runner, statuses: Sequence[MigrationStatus], *, worktree: str = "BRANCH"
) -> None:
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
    if not runner.adapter.refuse_modified:
        return
    edited = [
        s.file.name if s.file else s.version for s in statuses if s.state is MigrationState.MODIFIED
    ]
    if edited:
        raise Refused(
            f"{', '.join(edited)} changed after it was applied; refusing to migrate",
            hint="restore the file, or add a new migration for the change",
        )


def rollback_targets(
    runner: Runner, statuses: Sequence[MigrationStatus], steps: int
) -> tuple[MigrationStatus, ...]:
    """The migrations a rollback of `steps` reverts, newest first (the tool's order, which
    is the order of `statuses`); empty when nothing is applied. Every one is checked before
    any is reverted.

    Raises:
        Refused: the tool has no down migrations here; the newest applied migration is not
            in this worktree (the tool would revert a different one than the user expects);
            or a target has no down part.
    """
    if not runner.can_rollback:
        raise Refused(
            f"{runner.name} has no down migrations: wttui cannot roll back here",
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
                f"no {runner.adapter.down_part})",
                hint="write a new migration that undoes it",
            )
    return targets


def running_now(
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
