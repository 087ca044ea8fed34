"""How wttui describes a plan: a line for each thing it will touch (server, database, `.env`
lines, worktree, files), printed by `--dry-run` and shown in the app's confirmation dialogs, so
both say exactly the same thing. Passwords are masked. Pure functions; no I/O, no Textual.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from wttui.core.housekeeping import AnyPlan, HousekeepingPlan
from wttui.core.models import LintFinding
from wttui.core.plans import (
    ContainerPlan,
    CreatePlan,
    EnvEdit,
    ExecPlan,
    MigratePlan,
    RemovePlan,
    ResetPlan,
    ResolvePlan,
    RollbackPlan,
)
from wttui.core.plans_lifecycle import LifecyclePlan
from wttui.core.urls import mask_secrets, mask_url, url_secrets
from wttui.present import STATE_SENTENCES, migration_name
from wttui.present_lifecycle import describe_lifecycle

LIFECYCLE_PLANS = LifecyclePlan.__args__
"""The lifecycle plans' classes, for `describe`'s dispatch."""


def describe(plan: AnyPlan) -> list[str]:
    """What `plan` will touch, a line each: server, database, `.env` lines, worktree, files.
    Passwords are masked."""
    if isinstance(plan, HousekeepingPlan):
        from wttui.present_housekeeping import describe_housekeeping

        return describe_housekeeping(plan)
    if isinstance(plan, LIFECYCLE_PLANS):
        return describe_lifecycle(plan)
    if isinstance(plan, CreatePlan):
        return _create(plan)
    if isinstance(plan, RemovePlan):
        return _remove(plan)
    if isinstance(plan, ResetPlan):
        target = plan.target
        lines = [
            f"worktree   {plan.worktree.label} at {plan.worktree.path}",
            f"server     {target.server}",
            (
                f"database   {target.label} goes to the TRASH, is re-created and migrated"
                if plan.trash
                else f"database   {target.label} will be DROPPED, re-created and migrated"
            )
            if plan.database_exists
            else f"database   {target.label} (missing) will be created and migrated",
        ]
        if plan.snapshot_first:
            lines.append("first      a snapshot of the current state")
        return lines + _overrides(plan.overrides)
    if isinstance(plan, MigratePlan):
        return _migrate(plan)
    if isinstance(plan, RollbackPlan):
        target = plan.target
        lines = [
            f"worktree   {plan.worktree.label} at {plan.worktree.path}",
            f"database   {target.label} on {target.server}",
            f"tool       {plan.tool}",
        ]
        lines += [f"revert     {migration_name(s)}" for s in plan.reverts]
        if plan.shared_with:
            lines.append(
                f"shared     with {', '.join(plan.shared_with)} (only this worktree's own)"
            )
        return lines
    if isinstance(plan, ExecPlan):
        target = plan.target
        lines = [
            f"command    {' '.join(plan.argv)}",
            f"in         {plan.worktree.path}",
            f"database   {target.label} on {target.server}",
        ]
        if target.none:
            lines[2] = "database   none (strategy none): the command gets no database env"
        lines += [f"env        {key}" for key in plan.env if key != "PGOPTIONS"]
        lines += [f"libpq      {note}" for note in plan.libpq]
        if not target.none:
            lines.append(
                "env        PGHOST PGPORT PGUSER PGDATABASE, PGPASSFILE (0600, while it runs)"
            )
        return lines + _overrides(plan.overrides)
    if isinstance(plan, ResolvePlan):
        return _resolve(plan)
    if isinstance(plan, ContainerPlan):
        return [
            f"{plan.verb:<10} container {plan.target.container} of {plan.worktree.label}",
            f"url        {plan.target.masked_url}",
        ]
    raise TypeError(f"not a plan: {plan!r}")


def _create(plan: CreatePlan) -> list[str]:
    target = plan.target
    if plan.worktree is None:
        kind = "existing branch" if plan.existing_branch else f"new from {plan.base or 'HEAD'}"
        where = f"worktree   {plan.path} (branch {plan.branch}, {kind})"
    else:
        done = "resume the create" if plan.resuming else "provision it"
        if plan.finish_checkout:
            done = f"git's checkout was stopped half way: finish it, then {done}"
        where = f"worktree   {plan.path} (exists: {done})"
    if target.none:
        lines = [where, "database   none (strategy none): no database, no .env key, no migrations"]
        if plan.record_strategy:
            lines.append(
                f"git config branch.{plan.branch}.wttuiStrategy = {plan.record_strategy} "
                "(this clone only)"
            )
        return lines
    if plan.database_exists:
        action = "use (exists)" if plan.adopt or target.shared else "exists"
    else:
        action = "create"
    lines = [
        where,
        f"server     {target.server}",
        f"database   {target.label} ({target.description or target.strategy}): {action}",
        f"url        {target.masked_url}",
    ]
    if target.port_note:
        lines.append(f"port       {target.port_note}")
    if plan.env_template:
        lines.append(
            f"{plan.env_file.name:<10} rendered from {plan.env_template} (your lines kept)"
        )
    lines += _env_lines(plan.env_file.name, plan.env_edits)
    if plan.source_target is not None and plan.source is not None:
        lines.append(f"data       copied from {plan.source_target.label} of {plan.source.label}")
        lines.append("migrations then apply the pending ones with the worktree's tool")
    elif plan.template_cache:
        lines.append(
            "migrations clone the nearest cached template, apply only the missing ones "
            "(else replay them all)"
        )
    else:
        lines.append("migrations apply every pending one with the worktree's tool")
    if plan.seeds:
        lines.append("seeds      run after the migrations ([seeds])")
    return lines


def _env_lines(file: str, edits: Iterable[EnvEdit]) -> list[str]:
    lines = []
    for edit in edits:
        secrets = url_secrets(edit.new) + url_secrets(edit.old or "")
        if not edit.changes:
            lines.append(f"{file:<10} {edit.key} already set")
            continue
        new = mask_secrets(mask_url(edit.new), secrets)
        if edit.old is None:
            lines.append(f"{file:<10} set {edit.key}={new}")
        else:
            old = mask_secrets(mask_url(edit.old), secrets)
            lines.append(f"{file:<10} change {edit.key}={old} → {new}")
    return lines


def _remove(plan: RemovePlan) -> list[str]:
    worktree = plan.worktree
    target = plan.target
    lines = [f"worktree   {worktree.label} at {worktree.path}: removed (branch kept)"]
    if target is not None and target.none:
        lines.append("database   none (strategy none): nothing to drop")
    elif target is None or not plan.database_exists:
        lines.append("database   none to drop")
    elif plan.will_drop:
        fate = "goes to the TRASH (`wttui undo`)" if plan.trash else "will be DROPPED"
        lines.append(f"database   {target.label} on {target.server} {fate}")
        if plan.sessions:
            lines.append(f"           {plan.sessions} open session(s)")
    elif plan.shared_with or target.shared:
        users = ", ".join(plan.shared_with) or "other worktrees"
        lines.append(f"database   {target.label} is KEPT: also used by {users}")
    elif plan.keep_db:
        lines.append(f"database   {target.label} is KEPT (--keep-db)")
    else:
        lines.append(f"database   {target.label} is KEPT: PostgreSQL's or wttui's own schema")
    return lines + _overrides(plan.overrides)


def _migrate(plan: MigratePlan) -> list[str]:
    target = plan.target
    lines = [
        f"worktree   {plan.worktree.label} at {plan.worktree.path}",
        f"database   {target.label} on {target.server}",
        f"tool       {plan.tool}",
    ]
    if not plan.pending:
        return [*lines, "apply      nothing: no pending migration"]
    for status in plan.pending:
        late = f" (out of order: {status.note})" if status.out_of_order and status.note else ""
        lines.append(f"apply      {migration_name(status)}{late}")
        lines += [f"  lock     {finding_words(finding)}" for finding in status.lint]
    if plan.lint_note:
        lines.append(f"lint       {plan.lint_note}")
    return lines


def finding_words(finding: LintFinding) -> str:
    """`line 4: require-concurrent-index-creation: … (Use `concurrently` …)`."""
    text = f"line {finding.line}: {finding.rule}: {finding.message}"
    return f"{text} ({finding.help})" if finding.help else text


def _resolve(plan: ResolvePlan) -> list[str]:
    target = plan.target
    word = "applied" if plan.applied else "rolled back"
    lines = [
        f"worktree   {plan.worktree.label} at {plan.worktree.path}",
        f"database   {target.label} on {target.server}",
        f"tool       {plan.tool}",
        f"mark       {migration_name(plan.migration)} as {word}, without running it",
        f"now        {STATE_SENTENCES[plan.migration.state]}",
    ]
    if plan.command is not None:
        command = plan.command
        shown = command[2].removeprefix("exec ") if command[:2] == ("sh", "-c") else None
        lines.append(f"command    {shown or shlex.join(command)}")
    if plan.how:
        lines.append(f"writes     {plan.how}")
    lines.append(f"afterwards {plan.belief}")
    if plan.shared_with:
        lines.append(f"shared     with {', '.join(plan.shared_with)}")
    return lines


def _overrides(overrides: Iterable[str]) -> list[str]:
    return [f"forced     {text}" for text in overrides]


# -- drift -------------------------------------------------------------------------------------
