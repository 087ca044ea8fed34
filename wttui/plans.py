"""Plans: every rule wttui applies before it changes anything, and how plans work.

Each `plan_*` function reads what it needs (git, the server, env files, migration states —
never writing), and either returns a plan that is allowed to run or raises the refusal, before
anyone is asked anything. A plan names what will be touched and, for destructive steps, the
confirmation to ask (with the name to type). The CLI and the app only plan, show, confirm and
execute (`wttui.actions`); neither repeats a rule. `--dry-run` shows the plan and stops.

Refusals that `--force` may override (uncommitted changes, open sessions, a hand-set `.env`
value) raise `NeedsForce` subclasses; planning again with `force=True` returns a plan that lists
them in `overrides`, for the confirmation to show.

The plans live in modules named for what they plan: `plans_create` (create), `plans_remove`
(remove, reset), `plans_migrate` (migrate, roll back), `plans_exec` (exec, psql, containers),
`plans_resolve`, `plans_lifecycle` (snapshots, restore, trash, templates), `plans_data` (clone,
seed, test, rebuild), `plans_housekeeping` (sync, orphans, doctor's fixes, hooks). This module
holds the rules they share: who else uses a worktree's database, and "it must have one".
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from wttui.core.models import NO_DATABASE, DatabaseInfo
from wttui.core.sharing import shares
from wttui.errors import DatabaseError, DatabaseUnavailable, NoDatabase, WttuiError
from wttui.providers.conninfo import location
from wttui.providers.envfile import read_env
from wttui.providers.pg_copies import SESSION_GRACE

if TYPE_CHECKING:
    from wttui.providers.git_porcelain import WorktreeEntry
    from wttui.services import Services, WorktreeContext


# -- a database to act on ----------------------------------------------------------------------


def refuse_none(context: WorktreeContext, doing: str) -> None:
    """A worktree with no database (`strategy = "none"`) has nothing to `doing`: said in the
    one wording (`NoDatabase`) before anything else is read.

    Raises:
        NoDatabase: the worktree has no database, on purpose.
    """
    if context.target.none:
        raise NoDatabase(context.label, doing)


def require_database(context: WorktreeContext, doing: str, *, running: bool = True) -> DatabaseInfo:
    """The worktree's database, which must exist (and, with `running`, its container run).

    Raises:
        NoDatabase: the worktree has no database, on purpose.
        DatabaseError: its database does not exist.
        DatabaseUnavailable: its container is stopped (with `running`).
    """
    refuse_none(context, doing)
    target = context.target
    info = context.strategy.info(target)
    if info is None:
        raise DatabaseError(
            f"Database {target.label} of {context.label} does not exist on {target.server}",
            hint=f"`wttui sync {context.label}` provisions it",
        )
    if running and info.state is not None and info.state not in ("running", "starting"):
        raise DatabaseUnavailable(
            f"Container {target.container} of {context.label} is {info.state}",
            hint=f"`wttui start {context.label}` starts it",
        )
    return info


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


def settled_info(context: WorktreeContext, info: DatabaseInfo | None) -> DatabaseInfo | None:
    """The worktree's database `info` (as just read); when it has sessions, read again for up to
    `SESSION_GRACE` seconds until they end. A session that is about to end (the backend of a
    `wttui` process that just exited, a refresh reading the migration table) is no reason to
    refuse a drop or a reset; one that stays is."""
    deadline = time.monotonic() + SESSION_GRACE
    while info is not None and info.connections and time.monotonic() < deadline:
        time.sleep(0.1)
        info = context.strategy.info(context.target)
    return info
