"""Which migration tool a worktree uses, where its migrations are, and which file said so — in
a plain repository and in a monorepo.

Real projects keep their tool below the top: Prisma in `packages/prisma`, Drizzle in
`apps/api/drizzle`, Alembic in `services/api`. Looking only at the worktree's top directory
falls back to wttui's own SQL runner and shows "0 applied, 0 pending" over a database with 163
applied Prisma migrations. So detection looks, in this order, and takes the first place where a
tool is found:

1. the configured `[migrations] dir` and each of its parents (innermost first), up to the top;
2. the worktree's top directory;
3. every `apps/*` and `packages/*` directory (the common monorepo layouts);
4. a shallow search: directories at most `SEARCH_DEPTH` levels down, skipping dependencies,
   build output and hidden folders, bounded in time (`SEARCH_SECONDS`) and in size
   (`SEARCH_DIRS`): only directories holding the first component of some tool's marker are
   asked, so a big tree costs a directory listing each.

In each place every adapter's `evidence` is asked (its config first: `prisma.config.ts`,
`schema.prisma`'s location, `drizzle.config.*`'s `out`, `alembic.ini`'s `script_location`),
then the scripts of the `package.json` there (`package_scripts`). The answer names the file
that decided, relative to the worktree, and the other places the same step found a tool in.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from wttui.migrations.adapter import Adapter, Evidence
from wttui.migrations.package_scripts import script_hints

SEARCH_DEPTH = 3
SEARCH_SECONDS = 0.25
SEARCH_DIRS = 3000
MONOREPO_DIRS = ("apps", "packages")
SKIP = frozenset(
    {
        "node_modules",
        "vendor",
        "venv",
        "site-packages",
        "__pycache__",
        "dist",
        "build",
        "target",
        "coverage",
        "tmp",
        "log",
        "logs",
    }
)
"""Folders that hold dependencies, build output or data, never a project's own migrations."""


@dataclass(frozen=True)
class Detection:
    """What detection found in one worktree."""

    tool: str | None
    """The tool's name; None: nothing found (wttui's own SQL runner is in force)."""
    base: Path
    """The tool's project directory (the worktree, or `packages/prisma` in it): where its
    config lives and its commands run."""
    folder: Path | None = None
    """The migrations folder its config names; None: the tool's `default_dir` below `base`."""
    source: str = ""
    """The file that decided, relative to the worktree (`packages/prisma/schema.prisma`), with
    what in it decided (`apps/api/drizzle.config.ts (out: "./drizzle")`)."""
    also: tuple[str, ...] = ()
    """Other tools found by the same step (`drizzle in apps/api/drizzle.config.ts`): a
    monorepo with two tools needs `[migrations] tool` and `dir` to choose."""
    searched: tuple[Path, ...] = ()
    """The directories whose listing the answer depends on (for the cache)."""


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return path.as_posix()


def _source(evidence: Evidence, root: Path) -> str:
    where = _relative(evidence.file, root)
    return f"{where} ({evidence.says})" if evidence.says else where


def _at(base: Path, root: Path, adapters: Sequence[Adapter]) -> Detection | None:
    """The first adapter whose evidence is at `base`, else the first tool its `package.json`
    scripts run."""
    if not base.is_dir():
        return None
    for adapter in adapters:
        found = adapter.evidence(base)
        if found is not None:
            return Detection(adapter.name, found.base or base, found.folder, _source(found, root))
    names = {adapter.name: adapter for adapter in adapters}
    for hint in script_hints(base):
        tool = names.get(hint.tool)
        if tool is None:
            continue
        folder = hint.folder
        if folder is None and hint.base.is_dir():
            evidence = tool.evidence(hint.base)
            folder = evidence.folder if evidence else None
        source = f'{_relative(hint.file, root)} (scripts.{hint.script}: "{hint.command}")'
        return Detection(tool.name, hint.base, folder, source)
    return None


def _chain(root: Path, configured: str) -> list[Path]:
    """The configured folder and each of its parents inside the worktree, innermost first."""
    if not configured:
        return []
    start = (root / configured).resolve()
    top = root.resolve()
    chain: list[Path] = []
    current = start
    while current != top and top in current.parents:
        chain.append(root / current.relative_to(top))
        current = current.parent
    return chain


def _children(root: Path) -> list[Path]:
    found: list[Path] = []
    for name in MONOREPO_DIRS:
        try:
            entries = sorted(os.scandir(root / name), key=lambda e: e.name)
        except OSError:
            continue
        found.extend(
            root / name / e.name
            for e in entries
            if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")
        )
    return found


def _search(root: Path, firsts: frozenset[str], skip: set[Path]) -> Iterator[Path]:
    """Directories below `root`, breadth first and by name, holding an entry named like the
    first component of some marker (`prisma`, `drizzle.config.ts`, `alembic.ini`, …)."""
    deadline = time.monotonic() + SEARCH_SECONDS
    level = [root]
    seen = 0
    for _depth in range(SEARCH_DEPTH):
        below: list[Path] = []
        for directory in level:
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                seen += 1
                if seen > SEARCH_DIRS or time.monotonic() > deadline:
                    return
                if not entry.is_dir(follow_symlinks=False):
                    continue
                if entry.name.startswith(".") or entry.name in SKIP:
                    continue
                path = Path(entry.path)
                if path in skip:
                    continue
                try:
                    names = {e.name for e in os.scandir(path)}
                except OSError:
                    continue
                if names & firsts:
                    yield path
                below.append(path)
        level = below


def _firsts(adapters: Sequence[Adapter]) -> frozenset[str]:
    firsts = {m.split("/", 1)[0] for a in adapters for m in a.markers if m not in (".", "")}
    return frozenset({*firsts, "package.json", "schema.prisma", "migration_lock.toml"})


def detect(root: Path, adapters: Sequence[Adapter], *, configured: str = "") -> Detection:
    """Where the worktree at `root` keeps which tool (see the module docstring)."""
    chain = _chain(root, configured)
    children = _children(root)
    fixed = [[*chain, root], children]
    searched: list[Path] = [root, *chain, *(root / n for n in MONOREPO_DIRS), *children]
    visited: set[Path] = set()
    for step in fixed:
        found = _first(step, root, adapters, visited)
        if found is not None:
            return _with(found, searched)
    found = _first(_search(root, _firsts(adapters), visited), root, adapters, visited, deep=True)
    if found is not None:
        return _with(found, searched)
    return Detection(None, root, searched=tuple(searched))


def _first(
    places: Sequence[Path] | Iterator[Path],
    root: Path,
    adapters: Sequence[Adapter],
    visited: set[Path],
    *,
    deep: bool = False,
) -> Detection | None:
    """The first place with a tool, and the tools of the other places of this step (in a
    search: only those at the same depth)."""
    found: Detection | None = None
    also: list[str] = []
    for place in places:
        if place in visited:
            continue
        visited.add(place)
        here = _at(place, root, adapters)
        if here is None:
            continue
        if found is None:
            found = here
            continue
        if deep and len(place.parts) > len(found.base.parts):
            break
        nested = here.base in found.base.parents or found.base in here.base.parents
        if here.base != found.base and not (here.tool == found.tool and nested):
            also.append(f"{here.tool} in {here.source}")
    if found is None:
        return None
    return Detection(found.tool, found.base, found.folder, found.source, tuple(also))


def _with(found: Detection, searched: list[Path]) -> Detection:
    return Detection(
        found.tool, found.base, found.folder, found.source, found.also, tuple(searched)
    )
