"""Plans of the database lifecycle (issue 9): every rule of snapshots, restore, undo, the
trash and the template cache, raised before anyone is asked anything (`plans.py` says how plans
work; `plans_data.py` holds clone, seed, test and rebuild).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from wttui.core.lifecycle_names import is_wttui_own
from wttui.core.plans import Confirmation
from wttui.core.plans_lifecycle import (
    PurgePlan,
    RestorePlan,
    SnapshotDeletePlan,
    SnapshotPlan,
    SnapshotRef,
    TemplatesPrunePlan,
    TrashRef,
    UndoPlan,
)
from wttui.errors import DatabaseInUse, InvalidInput, Refused, WttuiError
from wttui.plans import refuse_none, require_database, settled_info, sharing
from wttui.strategies.base import refuse_shared

if TYPE_CHECKING:
    from wttui.lifecycle.snapshots import Snapshot
    from wttui.lifecycle.trash import TrashItem
    from wttui.services import Services, WorktreeContext


def existing_sessions(context: WorktreeContext, doing: str) -> int:
    """Open sessions on the worktree's database, which must exist (`plans.require_database`;
    a worktree with no database has nothing to `doing`)."""
    return require_database(context, doing, running=False).connections


def snapshot_ref(snapshot: Snapshot) -> SnapshotRef:
    return SnapshotRef(
        name=snapshot.name,
        worktree=snapshot.worktree,
        method=snapshot.method,
        created=snapshot.created_at.isoformat(timespec="seconds"),
        migration=snapshot.migration,
        size_bytes=snapshot.size_bytes,
    )


def trash_ref(item: TrashItem) -> TrashRef:
    return TrashRef(
        name=item.name,
        kind=item.kind,
        original=item.original,
        worktree=item.worktree,
        branch=item.branch,
        path=item.path,
        reason=item.reason,
        trashed=item.trashed_at.isoformat(timespec="seconds"),
        worktree_removed=item.worktree_removed,
    )


# -- snapshots ---------------------------------------------------------------------------------


def snapshot_method(services: Services, context: WorktreeContext, sessions: int) -> str:
    """`template` or `dump` for this worktree (`[snapshots] method`, `auto` decided here)."""
    configured = services.config.snapshots.method
    same_server = context.target.strategy == "database" and context.target.container is None
    if configured == "template" and not same_server:
        raise InvalidInput(
            f"[snapshots] method = template needs the database strategy; {context.label} uses "
            f"{context.target.strategy}",
            hint='set [snapshots] method = "auto" or "dump"',
        )
    if configured == "dump" or not same_server:
        return "dump"
    if configured == "auto" and sessions:
        return "dump"  # a template copy needs the database idle; pg_dump does not
    return "template"


def plan_snapshot(services: Services, ref: str, *, name: str | None = None) -> SnapshotPlan:
    """Snapshot the worktree's database.

    Raises:
        InvalidInput: a bad or taken snapshot name; `template` asked for where it cannot be.
        DatabaseError: the database does not exist.
    """
    from wttui.lifecycle.snapshots import check_name, default_name

    context = services.context_of(ref)
    sessions = existing_sessions(context, "snapshot")
    store = services.lifecycle.snapshots
    chosen = name or default_name(datetime.now(UTC))
    try:
        check_name(chosen)
    except ValueError:
        raise InvalidInput(
            f"Invalid snapshot name {chosen!r}: use letters, digits, '.', '_', '-' "
            "(at most 63, starting with a letter or digit)"
        ) from None
    if store.find(context.label, chosen) is not None:
        raise InvalidInput(
            f"{context.label} already has a snapshot called {chosen}",
            hint="pick another --name, or delete it with `wttui snapshot --delete`",
        )
    method = snapshot_method(services, context, sessions)
    keep = services.config.snapshots.keep
    beyond = tuple(s.name for s in store.listing(context.label)[max(keep - 1, 0) :])
    return SnapshotPlan(
        worktree=context.worktree,
        target=context.target,
        name=chosen,
        method=method,
        sessions=sessions,
        beyond_keep=beyond,
    )


def _snapshot_of(services: Services, label: str, name: str | None) -> Snapshot:
    found = services.lifecycle.snapshots.find(label, name)
    if found is None:
        what = f"no snapshot called {name}" if name else "no snapshot"
        raise InvalidInput(f"{label} has {what}", hint=f"`wttui snapshots {label}` lists them")
    return found


def plan_snapshot_delete(services: Services, ref: str, name: str | None) -> SnapshotDeletePlan:
    """Delete one snapshot (the newest when unnamed).

    Raises:
        InvalidInput: no such snapshot.
    """
    worktree = services.resolve(ref)
    snapshot = _snapshot_of(services, worktree.label, name)
    return SnapshotDeletePlan(
        snapshot=snapshot_ref(snapshot),
        confirmation=Confirmation(
            f"Delete snapshot {snapshot.name} of {worktree.label} ({snapshot.method})?",
            yes="Delete",
        ),
    )


def plan_restore(services: Services, ref: str, name: str | None = None) -> RestorePlan:
    """Replace the worktree's database by a snapshot (the newest when unnamed).

    Raises:
        InvalidInput: no such snapshot.
        DatabaseError: the database does not exist.
        Refused: the database is shared.
        DatabaseInUse: it has open sessions (named): the restore would cut them off.
    """
    entries = services.git.entries()
    context = services.context(services.resolve(ref, entries))
    target = context.target
    refuse_none(context, "restore")
    refuse_shared(target, "restore")
    others = sharing(services, context, entries)
    if others:
        raise Refused(
            f"Database {target.label} is shared with {', '.join(others)}; restoring it would "
            "replace their data too",
            hint="restore in a worktree with its own database",
        )
    snapshot = _snapshot_of(services, context.label, name)
    sessions = existing_sessions(context, "restore")
    if sessions:
        refuse_sessions(services, context, "restore")
    return RestorePlan(
        worktree=context.worktree,
        target=target,
        snapshot=snapshot_ref(snapshot),
        snapshot_first=services.config.snapshots.before_destructive,
        confirmation=Confirmation(
            f"Replace database {target.label} on {target.server} with snapshot "
            f"{snapshot.name} (taken {snapshot.created_at:%Y-%m-%d %H:%M})?",
            typed=target.label,
            yes="Restore",
        ),
    )


def refuse_sessions(services: Services, context: WorktreeContext, what: str) -> None:
    """Refuse `what` on the worktree's database, which was seen with sessions, unless they end
    within the grace `plans.settled_info` gives (a backend of a process that just exited).

    Raises:
        DatabaseInUse: sessions are still open, named when the server can say whose.
    """
    target = context.target
    settled = settled_info(context, context.strategy.info(target))
    if settled is None or not settled.connections:
        return
    if target.container or target.schema:
        raise DatabaseInUse(
            f"Database {target.label} has open sessions", hint=f"close them and {what} again"
        )
    sessions = services.server.provider().sessions(target.name)
    apps = sorted({s.application or s.client for s in sessions}) or ["unknown"]
    raise DatabaseInUse(
        f"Database {target.label} has {len(sessions)} open session(s) ({', '.join(apps)}); "
        f"a {what} would cut them off",
        hint=f"close them (stop the app, psql, the test runner) and {what} again",
    )


# -- trash -------------------------------------------------------------------------------------


def plan_undo(services: Services, name: str | None = None) -> UndoPlan:
    """Bring back the newest trash item (or the one called `name`), and its worktree.

    Raises:
        InvalidInput: the trash is empty, or has no such item.
        Refused: the item is gone from the server; its branch now has another worktree; its
            worktree's folder is taken; its name is taken by something wttui cannot swap.
    """
    lifecycle = services.lifecycle
    items = lifecycle.trash.items()
    if name is None:
        if not items:
            raise InvalidInput("The trash is empty: nothing to undo")
        item = items[0]
    else:
        found = next((i for i in items if i.name == name or i.original == name), None)
        if found is None:
            raise InvalidInput(f"No {name!r} in the trash", hint="`wttui trash` lists it")
        item = found
    drops = lifecycle.soft_drops()
    if not drops.exists(item):
        raise Refused(
            f"{item.name} is no longer on {item.server} (purged, or dropped by hand)",
            hint="`wttui trash purge` forgets it",
        )
    entries = services.git.entries()
    readd = False
    path = item.path
    if item.worktree_removed and item.branch:
        holder = next((e for e in entries if e.branch == item.branch), None)
        if holder is not None:
            raise Refused(
                f"Branch {item.branch} now has another worktree at {holder.path}; bringing back "
                f"{item.original} would give it a second database",
                hint=f"remove that worktree first, or `wttui trash restore {item.name}` after "
                "renaming the branch",
            )
        if not services.git.branch_exists(item.branch):
            raise Refused(
                f"Branch {item.branch} no longer exists: its worktree cannot come back",
                hint="re-create the branch, then undo again",
            )
        readd = True
        taken = next((e for e in entries if str(e.path) == path), None)
        from pathlib import Path

        if taken is not None or (Path(path).exists() and any(Path(path).iterdir())):
            path = str(services.worktree_path_for(item.branch))
    swap = drops.original_taken(item)
    if swap and (item.kind == "container" or readd):
        raise Refused(
            f"{item.original} exists again (made since {item.name} went to the trash); "
            "wttui will not overwrite it",
            hint="remove the new one first, then undo again",
        )
    what = f"{item.kind} {item.original} from {item.name}"
    if readd:
        what += f" and worktree {item.branch} at {path}"
    question = f"Bring back {what}?"
    if swap:
        question = (
            f"Swap {item.kind} {item.original} with {item.name} (the current one goes to the "
            "trash)?"
        )
    return UndoPlan(
        item=trash_ref(item),
        swap=swap,
        readd_worktree=readd,
        path=path,
        confirmation=Confirmation(question, yes="Undo"),
    )


def plan_purge(services: Services, older_than: str | None = None) -> PurgePlan:
    """Drop for good what is in the trash longer than `older_than` (default `[cleanup]
    trash_days`).

    Raises:
        InvalidInput: `older_than` is not like `7d`, `12h`, `0`.
    """
    from datetime import timedelta

    from wttui.lifecycle.trash import parse_age

    days = services.config.cleanup.trash_days
    text = older_than or f"{days}d"
    try:
        age = parse_age(text)
    except ValueError:
        raise InvalidInput(
            f"--older-than {text!r}: give an age like 7d, 12h, 30m or 0 (everything)"
        ) from None
    now = datetime.now(UTC)
    items = [i for i in services.lifecycle.trash.items() if now - i.trashed_at >= age]
    names = ", ".join(i.name for i in items) or "nothing"
    confirmation = None
    if items:
        confirmation = Confirmation(
            f"Drop {len(items)} item(s) from the trash for good ({names})?",
            typed="purge" if age < timedelta(days=1) else None,
            yes="Purge",
        )
    return PurgePlan(
        items=tuple(trash_ref(i) for i in items), older_than=text, confirmation=confirmation
    )


# -- templates ---------------------------------------------------------------------------------


def template_salt(services: Services, context: WorktreeContext) -> str:
    """What besides the migrations makes the worktree's databases differ (see
    `lifecycle.templates.salt_for`)."""
    from wttui.lifecycle.templates import salt_for

    seeds = services.config.seeds
    baked = "|".join((*seeds.files, seeds.command)) if seeds.in_template else ""
    return salt_for(context.tool, start_from=services.config.database.template, seeds=baked)


def template_cache_applies(services: Services, context: WorktreeContext) -> bool:
    """On, and the database strategy (a schema cannot be cloned; a container is its own
    server)."""
    target = context.target
    return (
        services.config.database.template_cache
        and target.strategy == "database"
        and not target.shared
        and target.container is None
    )


def template_digests(services: Services, context: WorktreeContext) -> list[str]:
    """The worktree's migration chain (`lifecycle.templates.chain`)."""
    from wttui.lifecycle.templates import chain

    return chain(context.tool.local(), template_salt(services, context))


def wanted_templates(services: Services) -> set[str]:
    """The templates some worktree would clone now (the nearest to each one's migrations)."""
    cache = services.lifecycle.templates()
    keep = set()
    for worktree in services.git.list_worktrees():
        if worktree.prunable:
            continue
        context = services.context(worktree)
        if not template_cache_applies(services, context):
            continue
        try:
            nearest = cache.nearest(template_digests(services, context))
        except WttuiError:  # a worktree whose files cannot be read keeps nothing
            continue
        if nearest is not None:
            keep.add(nearest.template.name)
    return keep


def plan_templates_prune(services: Services) -> TemplatesPrunePlan:
    """Templates no worktree would clone any more."""
    keep = wanted_templates(services)
    names = tuple(t.name for t in services.lifecycle.templates().listing() if t.name not in keep)
    return TemplatesPrunePlan(
        names=names,
        confirmation=Confirmation(f"Drop {len(names)} template(s)?", yes="Prune")
        if names
        else None,
    )


def reserved(name: str) -> bool:
    """A name wttui keeps for its own databases (never a worktree's)."""
    return is_wttui_own(name)
