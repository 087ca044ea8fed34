"""What is still to apply after an apply, said as the error it is.

A tool can finish with exit status 0 and leave a migration pending: Drizzle 0.x never applies a
journal entry older than the newest applied one, golang-migrate never looks below its version,
Sqitch never deploys a change planned before the last deployed one. "No pending migrations" and
exit 0 would then be false. So every apply ends by reading the state again; what is left is an
error naming each migration, why it was left (the tool's own rule, from its adapter's
`out_of_order`), and what to do (`out_of_order_fix`).
"""

from __future__ import annotations

from collections.abc import Sequence

from wttui.core.models import MigrationState, MigrationStatus
from wttui.errors import MigrationFailed
from wttui.migrations.adapter import Adapter
from wttui.migrations.merge import label

_LEFT = (MigrationState.PENDING, MigrationState.FAILED, MigrationState.ROLLED_BACK)
_SHOWN = 5


def _why(adapter: Adapter, status: MigrationStatus) -> str:
    if status.state is MigrationState.FAILED:
        return f"failed: {status.error}" if status.error else "failed"
    if status.out_of_order:
        return f"older than the newest applied one: {adapter.out_of_order}"
    if status.state is MigrationState.ROLLED_BACK:
        return f"rolled back, and {adapter.name} did not apply it again"
    return f"{adapter.name} did not apply it"


def leftover(
    adapter: Adapter, statuses: Sequence[MigrationStatus], applied: int
) -> MigrationFailed | None:
    """The error for what is still to apply after an apply that applied `applied`; None when
    nothing is left."""
    still = [s for s in statuses if s.state in _LEFT]
    if not still:
        return None
    shown = "; ".join(f"{label(s)} ({_why(adapter, s)})" for s in still[:_SHOWN])
    more = f"; and {len(still) - _SHOWN} more" if len(still) > _SHOWN else ""
    count = f"{len(still)} migration{'s' if len(still) > 1 else ''}"
    late = any(s.out_of_order for s in still)
    hint = adapter.out_of_order_fix if late and adapter.out_of_order_fix else ""
    if not hint:
        hint = (
            f"look at {adapter.name}'s output above; `wttui status --json --migrations` lists them"
        )
    return MigrationFailed(
        f"{count} still to apply after the migrate ({applied} applied): {shown}{more}",
        hint=hint,
    )
