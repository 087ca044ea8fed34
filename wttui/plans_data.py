"""Plans of copying data in and out of a worktree's database (issue 9): clone, seed, test
databases and the emergency rebuild. Their rules are raised before anyone is asked anything;
`plans.py` says how plans work, `plans_lifecycle.py` holds snapshots, trash and templates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from wttui.core.lifecycle_names import throwaway_names
from wttui.core.models import DbTarget, MigrationState
from wttui.core.plans import Confirmation, CreatePlan
from wttui.core.plans_lifecycle import ClonePlan, DbTestPlan, RebuildPlan, SeedPlan
from wttui.core.urls import mask_url, with_database, with_query
from wttui.errors import InvalidInput, NoDatabase, Refused
from wttui.plans import refuse_none, sharing
from wttui.plans_exec import command_env
from wttui.plans_lifecycle import existing_sessions, refuse_sessions
from wttui.strategies.base import refuse_shared

if TYPE_CHECKING:
    from wttui.providers.git_porcelain import WorktreeEntry
    from wttui.services import Services, WorktreeContext


def check_source(source: WorktreeContext, dest_target: DbTarget, dest_label: str) -> None:
    """`--from`/`clone`: the source must exist, on the same strategy (and server, except
    containers, each its own server).

    Raises:
        NoDatabase: the source has no database, on purpose (strategy none).
        InvalidInput: the source's database does not exist, or it uses another strategy or
            server.
    """
    refuse_none(source, "copy from")
    src = source.target
    if src.strategy != dest_target.strategy or bool(src.container) != bool(dest_target.container):
        raise InvalidInput(
            f"{source.label} uses the {src.strategy} strategy and {dest_label} the "
            f"{dest_target.strategy} strategy: wttui copies only between worktrees of one strategy",
            hint="dump it yourself (`pg_dump`), or give both the same strategy",
        )
    if src.container is None and src.server != dest_target.server:
        raise InvalidInput(
            f"{source.label}'s database is on {src.server} and {dest_label}'s on "
            f"{dest_target.server}: wttui copies only within one server",
            hint="dump it yourself (`pg_dump | pg_restore`)",
        )
    if source.strategy.info(src) is None:
        raise InvalidInput(
            f"{source.label} has no database to copy ({src.label} does not exist)",
            hint=f"`wttui create {source.label}` provisions it",
        )


def plan_create_from(services: Services, plan: CreatePlan, source_ref: str) -> CreatePlan:
    """`create --from OTHER`: `plan` (from `plan_create`) starting from OTHER's data.

    Raises:
        InvalidInput: OTHER is no worktree, has no database, uses another strategy or server;
            the new database exists already (nothing to copy into).
    """
    if plan.target.none:
        raise NoDatabase(plan.branch, "copy into")
    source = services.context_of(source_ref)
    if source.worktree.branch == plan.branch:
        raise InvalidInput(f"{plan.branch} cannot start from its own data")
    check_source(source, plan.target, plan.branch)
    if plan.database_exists:
        raise InvalidInput(
            f"Database {plan.target.label} exists already: --from only fills a new one",
            hint=f"`wttui clone {source.label} {plan.branch}` replaces it",
        )
    return replace(plan, source=source.worktree, source_target=source.target, template_cache=False)


def plan_clone(services: Services, src: str, dst: str) -> ClonePlan:
    """Replace DST's database by a copy of SRC's.

    Raises:
        InvalidInput: the same worktree twice; a source without a database; another strategy
            or server.
        Refused: DST's database is shared.
        DatabaseInUse: DST's database has open sessions.
    """
    entries = services.git.entries()
    source = services.context(services.resolve(src, entries))
    dest = services.context(services.resolve(dst, entries))
    if source.worktree.path == dest.worktree.path:
        raise InvalidInput(f"{source.label} is both the source and the destination")
    _check_destination(services, dest, entries)
    target = dest.target
    check_source(source, target, dest.label)
    info = dest.strategy.info(target)
    if info is not None and info.connections:
        refuse_sessions(services, dest, "clone")
    src_info = source.strategy.info(source.target)
    if target.container or target.schema:
        method = "pg_dump | pg_restore (another server)" if target.container else "schema copy"
    elif src_info is not None and src_info.connections:
        method = f"pg_dump | pg_restore ({src_info.connections} session(s) open on the source)"
    else:
        method = "CREATE DATABASE … TEMPLATE (method by size)"
    return ClonePlan(
        source=source.worktree,
        source_target=source.target,
        worktree=dest.worktree,
        target=target,
        method=method,
        target_exists=info is not None,
        confirmation=Confirmation(
            f"Replace database {target.label} of {dest.label} with a copy of "
            f"{source.target.label} (the current one goes to the trash)?",
            typed=target.label,
            yes="Clone",
        ),
    )


def check_clone_into(services: Services, dst: str) -> None:
    """The rules of `clone` that concern DST alone, checked before the app asks which
    worktree to copy from (a refusal comes before any question).

    Raises:
        NoDatabase: DST has no database (strategy none).
        Refused: DST's database is shared.
    """
    entries = services.git.entries()
    _check_destination(services, services.context(services.resolve(dst, entries)), entries)


def _check_destination(
    services: Services, dest: WorktreeContext, entries: list[WorktreeEntry]
) -> None:
    refuse_none(dest, "copy into")
    target = dest.target
    refuse_shared(target, "replace")
    others = sharing(services, dest, entries)
    if others:
        raise Refused(
            f"Database {target.label} is shared with {', '.join(others)}; replacing it would "
            "replace their data too"
        )


def plan_seed(services: Services, ref: str) -> SeedPlan:
    """Run the seeds against the worktree's database.

    Raises:
        InvalidInput: no `[seeds]` configured.
        DatabaseError: the database does not exist.
    """
    from wttui.lifecycle.seeds import seed_files

    seeds = services.config.seeds
    if not (seeds.files or seeds.command):
        raise InvalidInput(
            "No seeds configured",
            hint='set [seeds] files = ["seeds/base.sql", "seeds/{worktree}.sql"] or '
            "[seeds] command in .wttui.toml",
        )
    entries = services.git.entries()
    context = services.context(services.resolve(ref, entries))
    existing_sessions(context, "seed")
    target = context.target
    shared = target.shared or bool(sharing(services, context, entries))
    files = seed_files(seeds.files, context.worktree.path, context.label, services.project)
    return SeedPlan(
        worktree=context.worktree,
        target=target,
        files=tuple((f.relative, f.exists) for f in files),
        command=seeds.command,
        shared=shared,
        confirmation=Confirmation(
            f"Seed SHARED database {target.label} on {target.server} (every worktree using it "
            "sees the rows)?",
            typed=target.label,
            yes="Seed",
        )
        if shared
        else None,
    )


def throwaway_target(context: WorktreeContext, in_use: Callable[[DbTarget], bool]) -> DbTarget:
    """`{database}_test` on the worktree's server (its schema, in the schema strategy); the
    spare name (`lifecycle_names.throwaway_names`) when `in_use` says a live worktree uses
    that one (a container's copy is inside the worktree's own container: never another's)."""
    target = context.target
    first, spare = throwaway_names(target.schema or target.name)
    made = _throwaway(target, first)
    return _throwaway(target, spare) if not target.container and in_use(made) else made


def _throwaway(target: DbTarget, name: str) -> DbTarget:
    if target.schema is not None:
        # wttui's own connections too (the copy is migrated through `conninfo`, whose options
        # are URL-encoded: `-csearch_path%3D…`), not only the command's URL.
        url = with_query(target.url, schema=name)
        conninfo = with_query(target.conninfo, options=f"-csearch_path={name}")
        return DbTarget(
            strategy=target.strategy,
            name=target.name,
            url=url,
            masked_url=mask_url(url),
            server=target.server,
            schema=name,
            conninfo=conninfo,
            worktree=target.worktree,
            description="throwaway test schema",
        )
    url = with_database(target.url, name)
    return DbTarget(
        strategy=target.strategy,
        name=name,
        url=url,
        masked_url=mask_url(url),
        server=target.server,
        container=target.container,
        admin=target.admin,
        worktree=target.worktree,
        description="throwaway test database",
    )


def plan_test(
    services: Services, ref: str, argv: Sequence[str], *, keep: bool = False
) -> DbTestPlan:
    """Run `argv` against a throwaway `{database}_test`.

    Raises:
        InvalidInput: no command; the worktree's database is shared (its `_test` copy would be
            everyone's).
    """
    if not argv:
        raise InvalidInput(
            f"No command to run against {ref}'s test database (the worktree comes first, then "
            "the command after --)",
            hint="wttui test BRANCH -- COMMAND [ARGS…]",
        )
    context = services.context_of(ref)
    refuse_none(context, "make a test database from")
    if context.target.shared:
        raise InvalidInput(
            f"{context.label} uses a shared database: a `_test` copy of it would be shared too",
            hint="run tests in a worktree with its own database",
        )
    from wttui.orphans import live

    used = live(services)  # never a live worktree's database (`feat-test`'s is `feat`'s _test)
    target = throwaway_target(context, lambda made: used.uses(made.key, made.url))
    exists = (
        context.strategy.info(target) is not None
        if target.schema
        else bool(services.lifecycle.copies().existing([target.name]))
        if not target.container
        else False
    )
    env, _ = command_env(services, target, services.env_values(target, context.label), argv)
    return DbTestPlan(
        worktree=context.worktree,
        target=target,
        argv=tuple(argv),
        keep=keep,
        exists=exists,
        env=env,
    )


def plan_rebuild(services: Services, ref: str, to: str) -> RebuildPlan:
    """Seed 2's emergency rollback: a new database migrated up to `to`, the data copied, the
    two swapped, the old one kept in the trash.

    Raises:
        InvalidInput: `to` is not a migration in the worktree's folder; not applied yet.
        DatabaseError: the database does not exist.
        DatabaseInUse: it has open sessions (the swap would cut them off).
    """
    entries = services.git.entries()
    context = services.context(services.resolve(ref, entries))
    target = context.target
    refuse_none(context, "rebuild")
    if target.schema is not None or target.container is not None:
        raise InvalidInput(
            f"rebuild works on databases of the database or shared strategy; {context.label} "
            f"uses {target.strategy}",
            hint="use `wttui snapshot` and `wttui reset` instead",
        )
    sessions = existing_sessions(context, "rebuild")
    tool = context.tool
    from wttui.lifecycle.rebuild import supports_until

    if not supports_until(tool):
        raise InvalidInput(
            f"{tool.name}'s apply command cannot be stopped at a migration: wttui points it at "
            "a folder through $WTTUI_MIGRATIONS_DIR, which the command does not use",
            hint="set [migrations] apply to a command that reads its folder from "
            "$WTTUI_MIGRATIONS_DIR",
        )
    statuses = tool.status(target.connect_url)
    match = [s for s in statuses if to in (s.version, f"{s.version}_{s.name}") and s.file]
    if not match:
        raise InvalidInput(
            f"{to!r} is not a migration in {context.label}'s folder ({tool.folder})",
            hint="give its version or its full name, as `wttui status` shows",
        )
    chosen = match[0]
    index = statuses.index(chosen)
    dropped = tuple(
        f"{s.version}_{s.name}" if s.name else s.version
        for s in statuses[index + 1 :]
        if s.state
        in (MigrationState.APPLIED, MigrationState.MODIFIED, MigrationState.APPLIED_ELSEWHERE)
    )
    if sessions:
        refuse_sessions(services, context, "rebuild")
    others = sharing(services, context, entries)
    shared = target.shared or bool(others)
    question = (
        f"Rebuild {'SHARED ' if shared else ''}database {target.label} on {target.server} "
        f"up to {chosen.version}? {len(dropped)} later migration(s) go; the old database goes "
        "to the trash."
    )
    return RebuildPlan(
        worktree=context.worktree,
        target=target,
        to=chosen,
        dropped=dropped,
        snapshot_first=services.config.snapshots.before_destructive,
        shared=shared,
        shared_with=others,
        confirmation=Confirmation(question, typed=target.label, yes="Rebuild"),
    )
