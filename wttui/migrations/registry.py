"""The one list of migration tools, detection from a worktree's files, and `runner_for`.

Built-in adapters are named here with the module that holds each (`BUILTIN`), so knowing the
names imports no adapter; a third party adds one through the entry point group
`wttui.migrations` (`[project.entry-points."wttui.migrations"] liquibase =
"wttui_liquibase:LiquibaseAdapter"`), listed by name without importing it either (as Harlequin
lists its adapter plugins). A built-in name wins over a third party's of the same name.

Detection (`detection.py`) asks every adapter's `evidence` in order — the most specific markers
first, Django last (it walks the tree) — in the configured `dir` and its parents, the worktree's
top, `apps/*` and `packages/*`, then a shallow bounded search, and says which file decided. It is
cached per worktree until a marker path of any adapter at the top or at the tool's own directory
changes (appears, disappears or gets a new mtime), or a directory it listed changes, or at the
latest after `DETECT_TTL`: a refresh of many worktrees then stats a few paths each instead of
searching again. A marker changed in the last `RACY_NS` keeps its worktree uncached, so a change
in the same clock tick is not missed.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import shlex
import threading
import time
from dataclasses import replace
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from wttui.errors import ConfigError
from wttui.migrations import detection
from wttui.migrations.adapter import Adapter
from wttui.migrations.detection import Detection
from wttui.migrations.runner import Runner

ENTRY_POINT_GROUP = "wttui.migrations"
AUTO = "auto"
FALLBACK = "sql"
DEFAULT_TABLE = "wttui_schema_migrations"

BUILTIN: dict[str, str] = {
    "sql": "wttui.migrations.tools.sql:SqlAdapter",  # never detected: the fallback
    "prisma": "wttui.migrations.tools.prisma:PrismaAdapter",
    "drizzle": "wttui.migrations.tools.drizzle:DrizzleAdapter",
    "flyway": "wttui.migrations.tools.flyway:FlywayAdapter",
    "knex": "wttui.migrations.tools.knex:KnexAdapter",
    "node-pg-migrate": "wttui.migrations.tools.node_pg_migrate:NodePgMigrateAdapter",
    "alembic": "wttui.migrations.tools.alembic:AlembicAdapter",
    "sqitch": "wttui.migrations.tools.sqitch:SqitchAdapter",
    "rails": "wttui.migrations.tools.rails:RailsAdapter",
    "goose": "wttui.migrations.tools.goose:GooseAdapter",
    "golang-migrate": "wttui.migrations.tools.golang_migrate:GolangMigrateAdapter",
    "dbmate": "wttui.migrations.tools.dbmate:DbmateAdapter",
    "django": "wttui.migrations.tools.django:DjangoAdapter",  # last: it walks the tree
}
"""Every built-in tool name and its adapter class (`module:Class`), in detection order."""

DETECT_TTL = 60.0
"""Seconds a cached detection is trusted while no marker changed: a few `detect`s read file
contents no stat sees (dbmate's `-- migrate:up` in a file edited in place, Django's first
migration deep in the tree)."""

RACY_NS = 2_000_000_000
"""An answer is cached only once every marker is older than this (nanoseconds): file times are
coarse, and a marker changed in the same tick as the read it was cached from would go unseen
(git's "racily clean" rule)."""

Fingerprint = tuple[int | None, ...]
_detected: dict[tuple[Path, str], tuple[Fingerprint, float, Detection]] = {}
_lock = threading.Lock()


@functools.cache
def plugins() -> dict[str, EntryPoint]:
    """Third-party adapters by name (read once per process; `plugins.cache_clear()` rereads)."""
    found = entry_points(group=ENTRY_POINT_GROUP)
    return {ep.name: ep for ep in sorted(found, key=lambda ep: ep.name) if ep.name not in BUILTIN}


def tool_names() -> tuple[str, ...]:
    """Every tool `[migrations] tool` accepts besides `auto`: built-ins, then third parties."""
    return (*BUILTIN, *plugins())


def adapter_class(name: str) -> type[Adapter]:
    """The adapter class of tool `name`, imported now.

    Raises:
        ConfigError: no tool has that name, or a third party's entry point is no adapter.
    """
    if name in BUILTIN:
        module, _, attribute = BUILTIN[name].partition(":")
        found: object = getattr(importlib.import_module(module), attribute)
    elif name in plugins():
        try:
            found = plugins()[name].load()
        except Exception as exc:  # noqa: BLE001 - any import failure of a third party's code
            raise ConfigError(
                f"[migrations] tool: the adapter {name!r} failed to load: {exc}",
                hint=f"check the package that declares it in {ENTRY_POINT_GROUP!r}",
            ) from None
    else:
        raise ConfigError(
            f"[migrations] tool: unknown tool {name!r} (known: {', '.join((AUTO, *tool_names()))})"
        )
    missing = [
        attribute
        for attribute in ("name", "default_dir", "out_of_order")
        if not isinstance(getattr(found, attribute, None), str)
    ]
    if not (isinstance(found, type) and issubclass(found, Adapter)) or missing:
        raise ConfigError(
            f"[migrations] tool: {name!r} names {found!r}, which is no wttui migration adapter",
            hint="its entry point must name a subclass of wttui.migrations.adapter.Adapter "
            "that sets name, default_dir and out_of_order",
        )
    return found


def _detectable() -> list[Adapter]:
    """An instance of every adapter, in detection order; a third party's that fails to load
    is left out (it is reported when a config names it, not on every worktree)."""
    found = list(_builtins())
    for name in plugins():
        with contextlib.suppress(ConfigError):
            found.append(adapter_class(name).configured(table=DEFAULT_TABLE))
    return found


@functools.cache
def _builtins() -> tuple[Adapter, ...]:
    """The built-in adapters, made once per process (adapters hold nothing of a worktree):
    every worktree's detection on every refresh asks for them."""
    return tuple(adapter_class(name).configured(table=DEFAULT_TABLE) for name in BUILTIN)


def _markers(adapters: list[Adapter]) -> tuple[str, ...]:
    return tuple(sorted({marker for adapter in adapters for marker in adapter.markers}))


def _fingerprint(root: Path, markers: tuple[str, ...], places: tuple[Path, ...]) -> Fingerprint:
    """The mtimes of the directories detection listed and of every marker below each of them
    that exists (a missing directory costs one `stat`)."""
    stamps: list[int | None] = []
    for place in dict.fromkeys((root, *places)):
        try:
            stamps.append(os.stat(place).st_mtime_ns)
        except OSError:
            stamps.append(None)
            continue
        for marker in markers:
            try:
                stamps.append(os.stat(place / marker).st_mtime_ns)
            except OSError:
                stamps.append(None)
    return tuple(stamps)


def detection_of(root: Path, *, folder: str = "", only: str | None = None) -> Detection:
    """Where the worktree at `root` keeps which tool, and which file said so (`folder`: the
    configured `dir`; `only`: look for that tool alone, the configured one). Cached per
    worktree (see the module docstring)."""
    adapters = (
        _detectable() if only is None else [adapter_class(only).configured(table=DEFAULT_TABLE)]
    )
    markers = _markers(adapters)
    key = (root, f"{only or ''}:{folder}")
    now = time.monotonic()
    with _lock:
        cached = _detected.get(key)
    if cached is not None and now - cached[1] < DETECT_TTL:
        places = (*cached[2].searched, cached[2].base)
        if cached[0] == _fingerprint(root, markers, places):
            return cached[2]
    found = detection.detect(root, adapters, configured=folder)
    fingerprint = _fingerprint(root, markers, (*found.searched, found.base))
    newest = max((stamp for stamp in fingerprint if stamp is not None), default=0)
    with _lock:
        if time.time_ns() - newest > RACY_NS:
            _detected[key] = (fingerprint, now, found)
        else:
            _detected.pop(key, None)
    return found


def detect(root: Path) -> str | None:
    """The name of the tool whose markers the worktree at `root` has (in a monorepo: below
    it); None: wttui's own SQL runner. Cached per worktree (see the module docstring)."""
    return detection_of(root).tool


def runner_for(
    root: Path,
    *,
    tool: str = AUTO,
    folder: str = "",
    apply: str = "",
    rollback: str = "",
    table: str = DEFAULT_TABLE,
) -> Runner:
    """The runner of the worktree at `root` as `[migrations]` configures it: `tool` (`auto`:
    detected), `folder` (`dir`, relative to the worktree; empty: the tool's own), `apply` and
    `rollback` (shell words; empty: the tool's defaults), `table` (wttui's runner's table).

    Raises:
        ConfigError: an unknown tool, or an apply/rollback command that isn't valid shell words.
    """
    if tool == AUTO:
        found = detection_of(root, folder=folder)
        adapter = adapter_class(found.tool or FALLBACK).configured(table=table)
    else:
        adapter = adapter_class(tool).configured(table=table)  # an unknown name: refused now
        found = Detection(None, root)
        if tool != FALLBACK:  # where the configured tool's project is (a monorepo)
            found = detection_of(root, folder=folder, only=tool)
        said = f"{found.source} and " if found.source else ""
        found = replace(found, source=f"{said}[migrations] tool = {tool!r}")
    # The configured `dir` wins; else the folder the tool's config names; else its convention.
    where = root / folder if folder else found.folder or found.base / adapter.default_dir
    return Runner(
        adapter,
        where,
        apply=_words("apply", apply),
        rollback=_words("rollback", rollback),
        base=found.base,
        source=found.source,
        also=found.also,
        others=tuple(a for a in _detectable() if a.name != adapter.name),
    )


def _words(key: str, command: str) -> list[str] | None:
    try:
        return shlex.split(command) or None
    except ValueError as exc:
        raise ConfigError(f"[migrations] {key}: {exc} in {command!r}") from None
