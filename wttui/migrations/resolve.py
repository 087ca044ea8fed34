"""`wttui resolve`: mark a migration applied or rolled back without running it, the way its tool
would — through the tool's own command where it has one (`prisma migrate resolve`, `alembic
stamp`, `manage.py migrate --fake`, `flyway repair`, golang-migrate's `force`, `sqitch …
--log-only`), or by writing the tool's own rows exactly as it writes them where it has none
(the built-in runner, dbmate, Rails, Knex, node-pg-migrate, goose). Each adapter declares how
(`Adapter.resolve`, default: it cannot); the rules every tool shares live here: which migration
a name means, and that only a pending (or failed) migration can be marked applied and only one
in the database can be marked rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import MigrationState, MigrationStatus
from wttui.errors import InvalidInput, MigrationFailed, Refused
from wttui.migrations import owners
from wttui.migrations.adapter import ApplyContext
from wttui.migrations.merge import APPLIED_STATES, applied_versions, label
from wttui.migrations.resolution import Resolution, ResolveRequest

if TYPE_CHECKING:
    from wttui.migrations.runner import Runner


_IN_DATABASE = frozenset((*APPLIED_STATES, MigrationState.FAILED))
STATE_SENTENCE = {MigrationState.PENDING: "pending", MigrationState.FAILED: "failed"}


def find(statuses: Sequence[MigrationStatus], ref: str) -> MigrationStatus:
    """The migration `ref` names: its identity (`003`, a Prisma folder, `app.0002_x`), its
    `version_name`, or its file name with or without the extension.

    Raises:
        InvalidInput: no migration, or several, go by that name.
    """
    exact = [s for s in statuses if s.version == ref]
    if len(exact) == 1:
        return exact[0]
    found = [
        s
        for s in statuses
        if ref in (label(s), f"{s.version}_{s.name}")
        or (s.file is not None and ref in (s.file.name, s.file.stem, s.file.parent.name))
    ]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(label(s) for s in found)
        raise InvalidInput(f"{ref!r} names several migrations: {names}", hint="give its version")
    raise InvalidInput(
        f"No migration {ref!r} in this worktree's folder or its database",
        hint="`wttui status` lists the worktree's migrations; give a version or a file name",
    )


def resolution(
    runner: Runner,
    conninfo: str,
    ref: str,
    *,
    applied: bool,
    context: ApplyContext,
) -> tuple[MigrationStatus, Resolution]:
    """The migration and how its tool marks it, from the state read now through `conninfo`
    (a read-only session's for a plan).

    Raises:
        InvalidInput: `ref` names no migration, or several.
        Refused: there is nothing to mark, or the tool cannot mark it so.
        DatabaseUnavailable: the database cannot be reached.
    """
    local = runner.adapter.local(runner.folder)
    with runner.connect(conninfo) as conn:
        tracked = runner.adapter.applied(conn) is not None
        rows = runner.rows(conn, local)
        statuses = runner.merged(local, rows, runner.known_owners(conn))
    status = find(statuses, ref)
    name = label(status)
    if applied and status.state in APPLIED_STATES:
        raise Refused(
            f"{name} is already applied: there is nothing to mark",
            hint="`--rolled-back` marks it as not applied",
        )
    if not applied and status.state not in _IN_DATABASE:
        rolled_back = status.state is MigrationState.ROLLED_BACK
        raise Refused(
            f"{name} is {'rolled back' if rolled_back else 'not applied'}: there is nothing to "
            "mark rolled back",
            hint="`--applied` marks it as applied without running it",
        )
    mine = next((m for m in local if m.version == status.version), None)
    if applied and mine is None:
        raise Refused(
            f"{name} is not in this worktree's folder: {runner.name} cannot mark a migration it "
            "has no file of applied",
            hint="mark it from the worktree that has it",
        )
    request = ResolveRequest(
        status=status,
        applied=applied,
        local=mine,
        statuses=statuses,
        migrations=tuple(local),
        context=context,
        tracked=tracked,
    )
    return status, runner.adapter.resolve(request)


def run(
    runner: Runner,
    conninfo: str,
    ref: str,
    *,
    applied: bool,
    context: ApplyContext,
    sink: LogSink,
    cancel: CancelToken,
) -> MigrationStatus:
    """Mark the migration, then read the state back and check the tool now believes it (the
    caller holds the migration lock). Returns the migration as it is now.

    Raises:
        InvalidInput, Refused: as `resolution`, on the state read now.
        MigrationFailed: the tool's command failed, or the state did not change as asked.
        Cancelled: the user cancelled.
    """
    status, step = resolution(runner, conninfo, ref, applied=applied, context=context)
    local = runner.adapter.local(runner.folder)
    word = "applied" if applied else "rolled back"
    sink.step(f"Mark {label(status)} {word} without running it ({runner.name})")
    if step.command is not None:
        runner.commands.run(step.command, context, sink, cancel)
    elif step.write is not None:
        cancel.check()
        with runner.connect(conninfo) as conn, conn.transaction():
            step.write(conn)
    with runner.connect(conninfo) as conn:
        after_rows = runner.rows(conn, local)
        after = runner.merged(local, after_rows, runner.known_owners(conn))
        now = next((s for s in after if s.version == status.version), None)
        if runner.adapter.records_owners:
            if applied and status.version in applied_versions(after_rows) and status.file:
                checksum = owners.file_checksum(status.file)
                owners.record(conn, runner.name, [(status.version, status.name, checksum)], context)
            elif not applied:
                owners.forget(conn, runner.name, [status.version])
    if applied:
        done = now is not None and now.state in APPLIED_STATES
    else:
        done = now is None or now.state in (MigrationState.PENDING, MigrationState.ROLLED_BACK)
    if not done:
        state = STATE_SENTENCE.get(now.state, now.state.value) if now else "gone"
        raise MigrationFailed(
            f"{runner.name} did not mark {label(status)} {word}: it is {state} now",
            hint="its output is in the log above",
        )
    sink.line(step.belief)
    return now or status
