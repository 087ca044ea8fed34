"""The template cache in actions: clone on create, build and prune (F26, F27).

`provision_from_template` is create's fast path: the newest template whose migrations are a
prefix of the worktree's is cloned with the measured method, the clone's applier records become
the worktree's (as a replay would have written them), and create then applies only the missing
migrations with the worktree's own tool. `build` brings the main worktree's template up to date
(from the nearest template below it) and prunes the templates no worktree would clone any more;
`spawn_build` runs it in a background process after a create or a migrate on the main branch.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DbTarget
from wttui.core.urls import mask_url, with_database
from wttui.plans_lifecycle import (
    template_cache_applies,
    template_digests,
    template_salt,
    wanted_templates,
)
from wttui.services import Services, WorktreeContext

if TYPE_CHECKING:
    from wttui.migrations.adapter import ApplyContext

NO_BACKGROUND = "WTTUI_NO_BACKGROUND"
"""Set (to anything) to keep wttui from starting background template builds (tests, CI)."""


@dataclass(frozen=True)
class Cloned:
    """What create's log reports about a template clone."""

    template: str
    count: int
    total: int
    method: str
    seconds: float
    replay_seconds: float | None


def provision_from_template(
    services: Services, context: WorktreeContext, *, sink: LogSink, cancel: CancelToken
) -> Cloned | None:
    """Create the worktree's database as a clone of the nearest template; None when there is
    none (the caller provisions an empty database and replays)."""
    from wttui.lifecycle.clone import choose, copy_database
    from wttui.lifecycle.ownership import hand_to_worktree

    cache = services.lifecycle.templates()
    mine = template_digests(services, context)
    nearest = cache.nearest(mine)
    if nearest is None:
        sink.line(
            f"Template cache: no template holds a prefix of these {len(mine)} migrations yet: "
            "replaying them"
        )
        return None
    template = nearest.template
    copies = cache.copies
    method = choose(copies, template.size_bytes, services.config.database.clone_method)
    sink.step(
        f"Cloning template {template.name} ({nearest.count} of {nearest.total} migrations, "
        f"newest {template.newest}) into {context.target.name} with {method.words}"
    )
    seconds = copy_database(
        copies, template.name, context.target.name, method, sink=sink, cancel=cancel, frozen=True
    )
    sink.line(f"Cloned {template.name} in {seconds:.2f} s")
    hand_to_worktree(services.server, context.target)
    context.tool.adopt(context.target.connect_url, context.apply_context())
    return Cloned(
        template.name, nearest.count, nearest.total, method.key, seconds, template.replay_seconds
    )


def saved_line(cloned: Cloned, rest_seconds: float) -> str:
    """`Saved ~12.3 s against a replay of 300 migrations (…)` for create's log."""
    replay = cloned.replay_seconds
    if replay is None:
        return f"Cloned {cloned.count} migrations instead of replaying them"
    saved = replay - cloned.seconds
    if saved <= 0:
        return (
            f"Cloned {cloned.count} migrations in {cloned.seconds:.2f} s; their replay took "
            f"{replay:.2f} s when the template was built: too few to save time yet"
        )
    return (
        f"Saved ~{saved:.1f} s against a replay of {cloned.count} migrations "
        f"(replay {replay:.1f} s when the template was built; clone {cloned.seconds:.2f} s, "
        f"then {cloned.total - cloned.count} missing in {rest_seconds:.1f} s)"
    )


def _target_for(context: WorktreeContext, name: str) -> DbTarget:
    url = with_database(context.target.url, name)
    return replace(context.target, name=name, url=url, masked_url=mask_url(url), conninfo="")


def build(
    services: Services, *, sink: LogSink, cancel: CancelToken, prune: bool = True
) -> str | None:
    """Bring the main worktree's template up to date; its name (None: nothing to build: no
    migrations, or the cache does not apply). Prunes templates no worktree would clone.

    Raises:
        MigrationFailed, Cancelled: the build stopped (nothing half-built is left).
    """
    from wttui.lifecycle.clone import choose, copy_database
    from wttui.lifecycle.ownership import worktree_role

    main = next((w for w in services.git.list_worktrees() if w.is_main), None)
    if main is None:
        return None
    context = services.context(main)
    if not template_cache_applies(services, context):
        sink.line("Template cache: off, or not used by this strategy")
        return None
    cache = services.lifecycle.templates()
    local = context.tool.local()
    if not local:
        sink.line("Template cache: the main worktree has no migrations")
        return None

    def apply_context(url: str) -> ApplyContext:
        base = context.apply_context()
        name = url.rsplit("/", 1)[-1].split("?")[0]
        env = services.env_values(_target_for(context, name), context.label)
        return replace(base, env=env)

    def url_for(name: str) -> str:  # who applies: the worktrees' role where wttui has one
        return _target_for(context, name).url

    def clone(source: str, dest: str) -> float:
        size = next((t.size_bytes for t in cache.listing() if t.name == source), 0)
        method = choose(cache.copies, size, services.config.database.clone_method)
        sink.line(f"Copying {source} with {method.words}")
        return copy_database(cache.copies, source, dest, method, sink=sink, cancel=cancel)

    seed = None
    if services.config.seeds.in_template:
        from wttui.actions.seed import run_seeds

        def seed(url: str) -> None:
            run_seeds(services, context, url, sink=sink, cancel=cancel)

    with cache.lock() as held:
        if not held:
            sink.line("Template cache: another build is under way")
            return None
        started = time.monotonic()
        built = cache.build(
            context.tool,
            local,
            template_salt(services, context),
            apply_context=apply_context,
            start_from=services.config.database.template or None,
            clone=clone,
            seed=seed,
            owner=worktree_role(services.server, context.target),
            url_for=url_for,
            sink=sink,
            cancel=cancel,
        )
        final = cache.name(template_digests(services, context)[-1])
        if built is None:
            sink.line(f"Template {final} is up to date")
        else:
            took = time.monotonic() - started
            sink.step(f"Template {built.name} ready ({built.count} migrations) in {took:.1f} s")
        if prune:
            prune_unused(services, keep={final}, sink=sink)
    return final


def prune_unused(services: Services, *, keep: set[str] | None = None, sink: LogSink) -> list[str]:
    """Drop the templates no worktree would clone (and leftovers of builds)."""
    cache = services.lifecycle.templates()
    return cache.prune(wanted_templates(services) | (keep or set()), sink=sink)


def spawn_build(services: Services) -> str | None:
    """Start `wttui templates build` in the background (detached, its output in a log file in
    the data directory); the log's path, or None when the cache is off or `WTTUI_NO_BACKGROUND`
    is set."""
    if os.environ.get(NO_BACKGROUND) or not services.config.database.template_cache:
        return None
    folder = services.lifecycle.folder
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "templates.log"
    with log.open("a") as out:
        subprocess.Popen(
            [sys.executable, "-m", "wttui", "-C", str(services.root), "templates", "build"],
            stdin=subprocess.DEVNULL,
            # Its narration (stderr) is the log; stdout is the template's name for scripts,
            # which would be a stray line of its own in the log.
            stdout=subprocess.DEVNULL,
            stderr=out,
            start_new_session=True,
            cwd=services.root,
        )
    return str(log)
