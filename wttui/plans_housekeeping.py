"""The rules of housekeeping: sync, the orphan cleanup, doctor's fixes and the git hooks.

Like `wttui.plans`: each `plan_*` reads (never writes) and returns an allowed plan or raises the
refusal before anyone is asked. The one rule sync adds: a managed `.env` value that differs
from the plan is *stale* (wttui wrote it, and the server moved: a new port, a new password) or
*hand-set* (someone typed it). Stale values are fixed without asking; hand-set ones only with
`--force`, after a confirmation naming them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from wttui.core.housekeeping import (
    CheckStatus,
    CleanPlan,
    DbStep,
    DoctorReport,
    Fix,
    FixPlan,
    HooksPlan,
    Orphan,
    OrphanKind,
    OrphanReport,
    SyncItem,
    SyncPlan,
)
from wttui.core.lifecycle_names import throwaway_keys
from wttui.core.plans import Confirmation, CreatePlan
from wttui.core.urls import mask_secrets, url_secrets
from wttui.env_written import env_edits, hand_set_keys
from wttui.errors import DatabaseInUse, DatabaseUnavailable, EnvConflict, InvalidInput, WttuiError
from wttui.present import size
from wttui.providers import git_hooks
from wttui.providers.env_record import EnvRecord
from wttui.providers.server import data_dir

if TYPE_CHECKING:
    from wttui.services import Services, WorktreeContext


# -- sync --------------------------------------------------------------------------------------


def plan_sync(
    services: Services, ref: str | None, *, every: bool = False, force: bool = False
) -> SyncPlan:
    """Bring one worktree (`ref`, a branch, path or directory) or `every` one in line with its
    plan: a missing database, schema or container provisioned (and migrated, as `create` does),
    a stopped container started, missing or stale `.env` keys written.

    Raises:
        InvalidInput: `ref` names no worktree, or one whose directory is gone.
        EnvConflict: a managed key holds a hand-set value and not `force` (nothing changes).
        DatabaseUnavailable, DockerUnavailable: the server or the engine cannot be reached.
    """
    entries = services.git.entries()
    skipped: list[tuple[str, str]] = []
    if every:
        worktrees = []
        for entry in entries:
            worktree = entry.as_worktree()
            if worktree.prunable:
                skipped.append((entry.label, "its directory is gone (`wttui orphans` lists it)"))
            else:
                worktrees.append(worktree)
    else:
        named = services.git.find_entry(ref or str(Path.cwd()), entries)
        if named is None:
            raise InvalidInput(f"No worktree for {ref!r}", hint="`wttui status` lists them")
        worktree = named.as_worktree()
        if worktree.prunable:
            raise InvalidInput(
                f"The directory of worktree {worktree.label} ({worktree.path}) is gone",
                hint="`wttui orphans --clean` prunes it and removes its database",
            )
        worktrees = [worktree]
    items = tuple(sync_item(services, services.context(worktree)) for worktree in worktrees)
    hand_set = [item for item in items if item.hand_set]
    confirmation = None
    if hand_set and not force:
        raise _hand_set_refusal(hand_set)
    if hand_set:
        keys = "; ".join(f"{', '.join(i.hand_set)} in {i.env_file}" for i in hand_set)
        confirmation = Confirmation(f"Replace the hand-set {keys}?", yes="Replace")
    return SyncPlan(items=items, force=force, skipped=tuple(skipped), confirmation=confirmation)


def plan_create_or_sync(
    services: Services,
    branch: str,
    *,
    base: str | None = None,
    adopt: bool = False,
    force_env: bool = False,
) -> CreatePlan | SyncPlan:
    """What the app's create dialog does for `branch`: sync its worktree when it has one
    (made with `git worktree add`, provisioned in part), else create one."""
    from wttui.plans_create import plan_create

    entry = next((e for e in services.git.entries() if e.branch == branch), None)
    if entry is not None and branch:
        if base is not None:
            raise InvalidInput(f"{branch} already has a worktree at {entry.path}: no base")
        return plan_sync(services, str(entry.path), force=force_env)
    return plan_create(services, branch, base=base, adopt=adopt, force_env=force_env)


def sync_item(services: Services, context: WorktreeContext) -> SyncItem:
    """What sync does for one worktree."""
    from wttui.lifecycle.ownership import misowned

    target = context.target
    info = None if target.none else context.strategy.info(target)
    if target.none:  # no database, on purpose: never provisioned, never migrated
        step = DbStep.NONE
    elif info is None:
        step = DbStep.CREATE
    elif info.state in ("exited", "created", "paused", "dead"):
        step = DbStep.START
    elif misowned(services.server, target, info.owner):
        step = DbStep.HAND_OVER
    else:
        step = DbStep.EXISTS
    edits = env_edits(context)
    hand_set = hand_set_keys(services, context, edits)
    migrations, error = _migrations(context, step)
    return SyncItem(
        context.worktree,
        target,
        context.env_file,
        step,
        edits,
        hand_set,
        migrations=migrations,
        migrations_error=error,
    )


def _migrations(context: WorktreeContext, step: DbStep) -> tuple[tuple[str, ...], str | None]:
    """What sync says of the worktree's migrations: those a database created now gets (the
    dry run lists them), or why an existing database's cannot be read (a permission denied on
    the tracking table, a broken table): such a worktree is not "in line", whatever its
    database and `.env` say. An unreachable server is raised, as everywhere."""
    from wttui.core.versions import migration_label

    try:
        if step is DbStep.CREATE:
            found = context.tool.local()
            return tuple(migration_label(m.version, m.name) for m in found), None
        if step is DbStep.EXISTS:  # (a database to hand over cannot be read until it is)
            context.tool.read(context.target.connect_url, warnings=False)
    except DatabaseUnavailable:
        raise
    except WttuiError as exc:
        return (), str(exc)
    return (), None


def _hand_set_refusal(items: Sequence[SyncItem]) -> EnvConflict:
    lines: list[str] = []
    secrets: tuple[str, ...] = ()
    for item in items:
        for edit in item.env_edits:
            if edit.key in item.hand_set:
                secrets += url_secrets(edit.new) + url_secrets(edit.old or "")
                lines += [
                    f"{item.env_file}:",
                    f"- {edit.key}={edit.old}",
                    f"+ {edit.key}={edit.new}",
                ]
    where = ", ".join(f"{item.worktree.label} ({', '.join(item.hand_set)})" for item in items)
    return EnvConflict(
        f"Hand-set values in .env of {where}: wttui replaces them only when told",
        diff=mask_secrets("\n".join(lines), secrets) + "\n",
        hint="replace them with --force (you are asked first), or edit them yourself",
    )


# -- orphans -----------------------------------------------------------------------------------


def plan_clean(
    services: Services,
    report: OrphanReport,
    *,
    worktree: str | None = None,
    force: bool = False,
) -> CleanPlan:
    """Remove the orphans of `report` (only those of the removed worktree `worktree` — a branch
    or a path — when given). Whatever could not be checked is left alone.

    Raises:
        InvalidInput: `worktree` still names a live worktree.
        DatabaseInUse: an orphan database has open sessions and not `force`.
    """
    orphans = report.orphans
    if worktree is not None:
        live = services.git.find_entry(worktree, services.git.entries())
        if live is not None and not live.prunable and live.path.exists():
            raise InvalidInput(
                f"{worktree} is still the worktree at {live.path}: nothing of it is an orphan",
                hint="run this after the worktree was deleted, or `wttui remove` it",
            )
        orphans = tuple(o for o in orphans if _belongs(services, o, worktree))
    busy = [o for o in orphans if o.sessions]
    if busy and not force:
        names = ", ".join(f"{o.name} ({o.sessions})" for o in busy)
        raise DatabaseInUse(
            f"Orphan database(s) with open sessions: {names}",
            hint="close them, or pass --force to end them",
        )
    confirmation = None
    if orphans:
        total = sum(o.size_bytes or 0 for o in orphans)
        confirmation = Confirmation(
            f"Remove {len(orphans)} orphan(s) of {services.project}"
            + (f", freeing {size(total)}?" if total else "?"),
            typed=services.project,
            yes="Clean",
        )
    return CleanPlan(orphans, report.unchecked, force, confirmation)


def labels_of(services: Services, ref: str) -> set[str]:
    """The worktree labels a removed worktree `ref` may have had: the branch as given, and for
    a path the label recorded when wttui wrote its `.env`, and its directory name."""
    labels = {ref}
    path = Path(ref).expanduser()
    if path.is_absolute() or "/" in ref and path.exists():
        recorded = EnvRecord(data_dir()).label(services.env_path(path.absolute()))
        labels |= {path.name} | ({recorded} if recorded else set())
    return labels


def _belongs(services: Services, orphan: Orphan, ref: str) -> bool:
    if orphan.kind is OrphanKind.WORKTREE:
        return Path(orphan.name) == Path(ref).expanduser().absolute() or orphan.label == ref
    for label in labels_of(services, ref):
        if orphan.label == label:
            return True
        try:
            planned = services.strategy_for(label).plan(label)
        except WttuiError:
            continue
        if orphan.target is not None and (
            orphan.target.key == planned.key or orphan.target.key in throwaway_keys(planned)
        ):
            return True  # its database, or the copy a killed `wttui test` left of it
    return False


# -- doctor ------------------------------------------------------------------------------------


def plan_fix(services: Services, report: DoctorReport) -> FixPlan:
    """The safe fixes for the failed and warned checks: sync (never replacing a hand-set
    value: that stays a failure with its fix), start the embedded server, prune git's stale
    worktree metadata, make readable env files private."""
    wanted = [c for c in report.checks if c.status is not CheckStatus.OK and c.safe_fix]
    paths = {c.path for c in wanted if c.safe_fix is Fix.SYNC and c.path is not None}
    items: list[SyncItem] = []
    fixable = []
    for check in wanted:
        if check.safe_fix is not Fix.SYNC:
            fixable.append(check)
    for path in sorted(paths):
        try:
            plan = plan_sync(services, str(path))
        except EnvConflict:
            continue  # hand-set: never replaced by --fix
        items += [item for item in plan.items if not item.in_line]
        fixable += [c for c in wanted if c.safe_fix is Fix.SYNC and c.path == path]
    sync = SyncPlan(items=tuple(items)) if items else None
    confirmation = None
    if fixable:
        confirmation = Confirmation(f"Run {len(fixable)} fix(es)?", yes="Fix")
    return FixPlan(tuple(fixable), sync, confirmation)


# -- git hooks ---------------------------------------------------------------------------------


def installer() -> str:
    """The wttui command to fall back on from the hook: the one running now."""
    script = Path(sys.argv[0])
    if script.name == "wttui" and script.exists():
        return str(script.resolve())
    return str(Path(sys.executable).parent / "wttui")


def plan_hooks(services: Services, verb: str) -> HooksPlan:
    """Install or uninstall the post-checkout hook in the repository's hooks directory
    (`core.hooksPath` honoured).

    Raises:
        InvalidInput: the existing hook is not a shell script (the line to add is given).
    """
    where = git_hooks.hooks_dir(services.root)
    hook = where.path / git_hooks.HOOK
    text = git_hooks.read(hook)
    new_text: str | None
    if verb == "install":
        try:
            action, new_text = git_hooks.installed(text, installer())
        except ValueError as exc:
            raise InvalidInput(
                f"{hook} is not a shell script ({exc}): wttui cannot add its lines to it",
                hint="call `wttui sync --quiet` from it yourself when its first argument is "
                "all zeros and its third is 1 (a new worktree)",
            ) from None
    else:
        action, new_text = git_hooks.uninstalled(text)
    confirmation = None
    if where.inside_repository and action != "none":
        confirmation = Confirmation(
            f"{hook} belongs to the repository ({where.source}): change it?", yes="Change"
        )
    return HooksPlan(verb, hook, where.source, action, new_text, confirmation)
