"""Plans: every rule wttui applies before it changes anything, in one place.

Each `plan_*` function reads what it needs (git, the server, env files, migration states —
never writing), and either returns a plan that is allowed to run or raises the refusal, before
anyone is asked anything. A plan names what will be touched and, for destructive steps, the
confirmation to ask (with the name to type). The CLI and the app only plan, show, confirm and
execute (`wttui.actions`); neither repeats a rule. `--dry-run` shows the plan and stops.

Refusals that `--force` may override (uncommitted changes, open sessions, a hand-set `.env`
value) raise `NeedsForce` subclasses; planning again with `force=True` returns a plan that lists
them in `overrides`, for the confirmation to show.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wttui.config import worktrees_dir_problem
from wttui.core.guards import judge
from wttui.core.libpq import schema_env
from wttui.core.models import NO_DATABASE, DbTarget, MigrationState, MigrationStatus, Worktree
from wttui.core.naming import check_branch_name, check_schema_name, is_reserved_schema
from wttui.core.plans import (
    Confirmation,
    ContainerPlan,
    CreatePlan,
    EnvEdit,
    ExecPlan,
    MigratePlan,
    RemovePlan,
    ResetPlan,
    RollbackPlan,
)
from wttui.core.sharing import shares
from wttui.core.urls import url_secrets
from wttui.errors import (
    DatabaseError,
    DatabaseInUse,
    DatabaseUnavailable,
    DirtyWorktree,
    EnvConflict,
    InvalidInput,
    NeedsForce,
    Refused,
    WttuiError,
)
from wttui.providers.conninfo import location
from wttui.providers.envfile import EnvChange, check_values, parse_env, read_env
from wttui.strategies.base import refuse_shared, unowned

if TYPE_CHECKING:
    from wttui.providers.git import WorktreeEntry
    from wttui.services import Services, WorktreeContext

CREATE_MARKER = "wttui-create-pending"
"""Left in a worktree's git admin directory while a create is under way; a create of the same
branch that finds it finishes the work instead of refusing."""


def create_marker(services: Services, worktree_path: Path) -> Path | None:
    """Where the resume marker of a create of `worktree_path` lives (None: main worktree)."""
    admin = services.git.admin_dir(worktree_path)
    return admin / CREATE_MARKER if admin else None


# -- create ------------------------------------------------------------------------------------


def plan_create(
    services: Services,
    branch: str,
    *,
    base: str | None = None,
    adopt: bool = False,
    force_env: bool = False,
    no_db: bool = False,
) -> CreatePlan:
    """A worktree for `branch` with its own database, env file and migrations.

    A branch whose worktree was made outside wttui (or by a create that stopped half way) gets
    its database provisioned instead of a second worktree. With `no_db` (or a branch whose
    strategy is `none`) the worktree gets no database, no env key and no migrations; `no_db`
    is recorded in the repository's git config so that every later command agrees.

    Raises:
        InvalidInput: invalid branch name or base; the branch already has a worktree with its
            database; the worktree's folder is taken.
        AdoptableDatabase: the database exists and belongs to no worktree (plan with `adopt`).
        EnvConflict: the env file holds a hand-set value (plan with `force_env`).
        DatabaseUnavailable: the server cannot be reached.
    """
    check_branch_name(branch)
    git = services.git
    entries = git.entries()
    existing = next((entry for entry in entries if entry.branch == branch), None)
    worktree = git.read(existing) if existing is not None else None
    resuming = False
    if worktree is not None:
        path = worktree.path
        marker = create_marker(services, path)
        resuming = marker is not None and marker.exists()
        existing_branch = True
        checkout = branch
    else:
        path = services.worktree_path_for(branch)
        taken = next((entry for entry in entries if entry.path == path), None)
        if taken is not None:
            raise InvalidInput(f"{path} is already the worktree of {taken.label}")
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise InvalidInput(f"{path} already exists and is not empty")
        if problem := worktrees_dir_problem(path):
            raise InvalidInput(f"Cannot make a worktree at {path}: {problem}")
        if base is not None and not git.commit_exists(base):
            raise InvalidInput(f"Unknown base ref {base!r}")
        existing_branch = git.branch_exists(branch)
        if existing_branch and base is not None:
            raise InvalidInput(
                f"Branch {branch} already exists; leave out the base to check it out"
            )
        checkout = branch if existing_branch else (git.remote_branch(branch) or base or "HEAD")
    was_none = services.config.strategy_for(branch) == NO_DATABASE
    strategy = services.strategy(NO_DATABASE) if no_db else services.strategy_for(branch)
    target = strategy.plan(branch)
    if target.none and worktree is not None and not resuming and was_none:
        raise InvalidInput(
            f"Branch {branch} already has a worktree at {worktree.path} (with no database)",
            hint=f"give it one: git config --unset branch.{branch}.wttuiStrategy, or its "
            '[worktrees."BRANCH"] strategy, then `wttui create` again',
        )
    if target.schema is not None:
        check_schema_name(target.schema)
    if target.port_clash:  # a pinned port never moves: who holds it is said instead
        raise Refused(
            f"Cannot make the container of {branch}: {target.port_clash}",
            hint=f'stop it, or pin another port ([worktrees."{branch}"] port)',
        )
    wanted = services.env_values(target, branch)
    check_values(wanted)  # a value no .env dialect keeps literal: refused before anything
    exists = strategy.info(target) is not None
    if worktree is not None and exists and not resuming and not target.shared:
        raise InvalidInput(
            f"Branch {branch} already has a worktree at {worktree.path} "
            f"with database {target.label}",
            hint="`wttui migrate` updates its database",
        )
    if exists and not (adopt or resuming or target.shared):
        raise unowned(target)
    env_file = services.env_path(path)
    text = None if worktree is not None else git.text_at(checkout, services.config.env.file) or ""
    ahead = Worktree(path=path, branch=branch, head="")
    change, wanted = services.plan_env_file(
        services.context(worktree or ahead, target=target, label=branch),
        text=text,
        ref=None if worktree is not None else checkout,
    )
    current = parse_env(change.old_text)
    edits = tuple(EnvEdit(key, current.get(key), value) for key, value in wanted.items())
    if change.conflicts and not force_env:
        raise EnvConflict(
            f"{env_file} already sets {', '.join(change.conflicts)} to a different value",
            diff=change.diff(url_secrets(target.url)),
            hint="overwrite it with --force",
        )
    return CreatePlan(
        branch=branch,
        base=base,
        path=path,
        target=target,
        env_file=env_file,
        env_edits=edits,
        existing_branch=existing_branch,
        worktree=worktree,
        resuming=resuming,
        database_exists=exists,
        adopt=adopt or resuming,
        force_env=force_env,
        template_cache=services.config.database.template_cache
        and target.strategy == "database"
        and not exists,
        seeds=bool(services.config.seeds.files or services.config.seeds.command),
        record_strategy=NO_DATABASE if no_db and not was_none else None,
        env_template=services.config.env.template if _templated(change, target) else None,
        finish_checkout=existing is not None and existing.unfinished,
    )


def _templated(change: EnvChange, target: DbTarget) -> bool:
    from wttui.providers.env_template import MARKER

    return not target.none and MARKER in change.new_text


# -- remove and reset --------------------------------------------------------------------------


def plan_remove(
    services: Services, ref: str, *, keep_db: bool = False, force: bool = False
) -> RemovePlan:
    """Remove a worktree; drop its database unless kept or used by another worktree.

    Raises:
        InvalidInput: `ref` matches no worktree.
        Refused: it is the main worktree.
        DirtyWorktree, DatabaseInUse, NeedsForce: uncommitted changes, open sessions on the
            database it would drop, a lock — unless `force`.
    """
    entries = services.git.entries()
    worktree = _worktree_or_unfinished_remove(services, ref, entries)
    if worktree.is_main:
        raise Refused(
            f"{worktree.label} is the main worktree; it cannot be removed",
            hint="remove another worktree, or the whole repository yourself",
        )
    context = services.context(worktree)
    target = context.target
    shared_with = sharing(services, context, entries)
    info = context.strategy.info(target)
    exists = info is not None
    reserved = target.schema is not None and is_reserved_schema(target.schema)
    will_drop = exists and not target.shared and not shared_with and not keep_db and not reserved
    sessions = info.connections if info else 0
    overrides: list[WttuiError] = []
    if worktree.locked:
        reason = f" ({worktree.lock_reason})" if worktree.lock_reason else ""
        overrides.append(
            NeedsForce(
                f"Worktree {worktree.label} at {worktree.path} is locked{reason}",
                hint="unlock it with `git worktree unlock`, or pass --force",
            )
        )
    if worktree.dirty:
        overrides.append(
            DirtyWorktree(
                f"Worktree {worktree.label} at {worktree.path} has uncommitted changes",
                hint="commit or stash them, or pass --force to discard them",
            )
        )
    if will_drop and sessions:
        overrides.append(_in_use(target.label, sessions))
    _refuse_unforced(overrides, force)
    what = f"worktree {worktree.label} at {worktree.path}"
    # A container's volume kept by policy (`keep_volume`) already keeps the data for the next
    # create; otherwise the whole container goes to the trash, its volume attached.
    trash = services.config.cleanup.trash_days > 0 and not (
        target.container and services.config.container.keep_volume
    )
    if will_drop:
        verb = "move database" if trash else "drop database"
        where = " to the trash" if trash else ""
        confirmation = Confirmation(
            f"Remove {what} and {verb} {target.label} on {target.server}{where}?",
            typed=target.label,
            yes="Remove",
        )
    else:
        confirmation = Confirmation(f"Remove {what}?", yes="Remove")
    return RemovePlan(
        worktree=worktree,
        target=target,
        database_exists=exists,
        shared_with=shared_with,
        sessions=sessions,
        will_drop=will_drop,
        keep_db=keep_db,
        force=force,
        overrides=tuple(error.message for error in overrides),
        confirmation=confirmation,
        trash=trash,
    )


def _worktree_or_unfinished_remove(
    services: Services, ref: str, entries: list[WorktreeEntry]
) -> Worktree:
    """The worktree `ref` names; else the one a remove that stopped half way took away (its
    database is still to drop: `wttui.unfinished_remove`)."""
    try:
        return services.resolve(ref, entries)
    except InvalidInput:
        from wttui.unfinished_remove import find

        found = find(services, ref)
        if found is None:
            raise
        return found


def plan_reset(services: Services, ref: str, *, force: bool = False) -> ResetPlan:
    """Drop, re-create and migrate a worktree's own database.

    Raises:
        Refused: the database is shared (on purpose, or with another worktree).
        DatabaseInUse: it has open sessions and not `force`.
    """
    entries = services.git.entries()
    worktree = services.resolve(ref, entries)
    context = services.context(worktree)
    target = context.target
    _refuse_none(context, "reset")
    refuse_shared(target, "reset")
    if target.schema is not None and is_reserved_schema(target.schema):
        raise Refused(
            f"Schema {target.label} is PostgreSQL's or wttui's own: wttui never drops it",
            hint="drop what you need from it by hand",
        )
    shared_with = sharing(services, context, entries)
    if shared_with:
        raise Refused(
            f"Database {target.label} is shared with {', '.join(shared_with)}; "
            "resetting it would wipe their data too",
            hint="give this worktree its own database instead",
        )
    info = context.strategy.info(target)
    sessions = info.connections if info else 0
    overrides = [_in_use(target.label, sessions)] if sessions else []
    _refuse_unforced(overrides, force)
    return ResetPlan(
        worktree=worktree,
        target=target,
        database_exists=info is not None,
        sessions=sessions,
        force=force,
        overrides=tuple(error.message for error in overrides),
        confirmation=Confirmation(
            f"Reset moves database {target.label} on {target.server} to the trash and rebuilds "
            f"it from {worktree.label}'s migrations (`wttui undo` brings the old one back)."
            if services.config.cleanup.trash_days > 0
            else f"Reset drops database {target.label} on {target.server} and rebuilds it from "
            f"{worktree.label}'s migrations; its data is lost.",
            typed=target.label,
            yes="Reset",
        ),
        trash=services.config.cleanup.trash_days > 0,
        snapshot_first=services.config.snapshots.before_destructive and info is not None,
    )


def _in_use(label: str, sessions: int) -> DatabaseInUse:
    return DatabaseInUse(
        f"Database {label} has {sessions} open session(s)",
        hint="close them, or pass --force to terminate them",
    )


def _refuse_unforced(overrides: Sequence[WttuiError], force: bool) -> None:
    if overrides and not force:
        raise overrides[0]


# -- migrations --------------------------------------------------------------------------------


def _refuse_none(context: WorktreeContext, doing: str) -> None:
    """A worktree with no database (`strategy = "none"`) has nothing to `doing`."""
    if context.target.none:
        raise InvalidInput(
            f"{context.label} has no database (strategy none): nothing to {doing}",
            hint=f'give it one with [worktrees."{context.label}"] strategy (or unset git config '
            f"branch.{context.label}.wttuiStrategy), then `wttui create {context.label}`",
        )


def _existing(context: WorktreeContext, doing: str = "migrate") -> None:
    _refuse_none(context, doing)
    target = context.target
    info = context.strategy.info(target)
    if info is None:
        raise DatabaseError(
            f"Database {target.label} of {context.label} does not exist on {target.server}",
            hint=f"`wttui sync {context.label}` provisions it",
        )
    if info.state is not None and info.state not in ("running", "starting"):
        raise DatabaseUnavailable(
            f"Container {target.container} of {context.label} is {info.state}",
            hint=f"`wttui start {context.label}` starts it",
        )


def plan_migrate(services: Services, ref: str) -> MigratePlan:
    """Apply the worktree's pending migrations with its tool.

    Raises:
        DatabaseError: the database does not exist.
        Refused: the tool must not run now (a migration stopped part way outside a transaction;
            the built-in runner: an applied file was edited).
    """
    context = services.context_of(ref)
    _existing(context)
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
    a linter that is missing or failing is said, never a refusal."""
    from wttui.migrations.lint import LintSettings, LintUnavailable, lint_pending

    try:
        settings = LintSettings.of(services.config.migrations)
        return lint_pending(pending, settings, cwd=context.worktree.path), None
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
    _existing(context, "roll back")
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


# -- exec and containers -----------------------------------------------------------------------


def plan_exec(
    services: Services, ref: str, argv: Sequence[str], *, force: bool = False
) -> ExecPlan:
    """Run `argv` in the worktree with its database env.

    Raises:
        InvalidInput: no command.
        Refused: on a database another worktree uses, a command in `[database] refuse`
            (overridden by `force`, after the typed database name).
    """
    if not argv:
        raise InvalidInput("No command to run", hint="wttui exec BRANCH -- COMMAND [ARGS…]")
    entries = services.git.entries()
    context = services.context(services.resolve(ref, entries))
    target = context.target
    shared_with = sharing(services, context, entries)
    verdict = judge(argv, services.config.database.refuse)
    overrides: list[WttuiError] = []
    if not verdict.clear and (target.shared or shared_with):
        users = ", ".join(shared_with) or "other worktrees"
        if verdict.rule is not None:
            what = f"`{' '.join(argv)}` matches the rule `{verdict.rule}`: it would wipe"
        else:  # a shell string wttui cannot see into: on a shared database, no benefit of doubt
            what = f"`{' '.join(argv)}`: {verdict.reason()}, and it runs against"
        overrides.append(
            NeedsForce(
                f"{what} {target.label}, which {users} also use(s)",
                hint="run it in a worktree with its own database, or change [database] refuse",
            )
        )
    if overrides and not force:
        raise Refused(overrides[0].message, hint=overrides[0].hint)
    confirmation = None
    if overrides:
        confirmation = Confirmation(
            f"Run `{' '.join(argv)}` against shared database {target.label} on {target.server}?",
            typed=target.label,
            yes="Run",
        )
    env, libpq = schema_env(
        context.env_values,
        argv,
        schema=target.schema,
        url_key=services.config.env.url_key,
        libpq_url=target.connect_url,
        caller_options=os.environ.get("PGOPTIONS", ""),
    )
    return ExecPlan(
        worktree=context.worktree,
        target=target,
        argv=tuple(argv),
        env=env,
        shared_with=shared_with,
        overrides=tuple(error.message for error in overrides),
        confirmation=confirmation,
        libpq=libpq,
    )


def plan_container(services: Services, ref: str, verb: str) -> ContainerPlan:
    """Start, stop, restart or read the logs of the worktree's container.

    Raises:
        InvalidInput: the worktree's strategy gives it no container.
    """
    context = services.context_of(ref)
    target = context.target
    if target.container is None:
        raise InvalidInput(
            f"{context.label} uses the {target.strategy} strategy: it has no container",
            hint='set [database] strategy = "container" to give each worktree one',
        )
    if verb in ("start", "restart"):
        strategy = services.container_strategy(context.worktree)
        info = strategy.info(target)
        if info is not None and info.state != "running" and (clash := strategy.clash(target)):
            raise Refused(
                f"Cannot start the container of {context.label}: {clash}",
                hint="stop that first; wttui never moves an existing container's port",
            )
    return ContainerPlan(verb=verb, worktree=context.worktree, target=target)


# -- sharing -----------------------------------------------------------------------------------


def sharing(
    services: Services, context: WorktreeContext, entries: Sequence[WorktreeEntry]
) -> tuple[str, ...]:
    """Other worktrees whose database is `context`'s (by plan, or by their env file's URL).
    A worktree with no database (`strategy = "none"`) never shares, either way."""
    others: list[str] = []
    url_key = services.config.env.url_key
    if context.target.none:
        return ()
    for entry in entries:
        if entry.path == context.worktree.path:
            continue
        if services.config.strategy_for(entry.branch) == NO_DATABASE:
            continue
        try:
            url = read_env(services.env_path(entry.path)).get(url_key)
        except WttuiError:
            url = None  # an unreadable env file says nothing about sharing
        other = services.strategy_for(entry.branch).plan(entry.label)
        if shares(context.target, other, url, location):
            others.append(entry.label)
    return tuple(others)
