"""Every branch's migrations as the worktree's tool lists them, read through git (nothing
checked out).

Drift and status must agree on what a migration is. Status asks the tool's adapter (`local`):
Drizzle's journal, not every `.sql` file; Prisma's folder names; Alembic's revision ids. So drift
asks the same adapter, on each branch's copy of the migrations folder: the folder's tree is
exported with `git archive` into a temporary directory and listed there. A tree is read once
whatever the number of branches that share it (equal tree ids, equal contents), and listings
are kept by tree id for the process (trees never change), so a refresh that asks again costs
one `git cat-file`.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from wttui.drift.sql_changes import up_part
from wttui.errors import WttuiError
from wttui.migrations.adapter import Adapter, LocalMigration
from wttui.providers.git_trees import GitTrees

_KEPT = 64
"""Listings kept (by tool, folder and tree id)."""


@dataclass(frozen=True)
class Listed:
    """One migration of a branch, as the tool's adapter lists it."""

    version: str
    """The identity status uses (the tool's)."""
    name: str
    path: str
    """Its file, relative to the repository."""
    sql: str | None
    """The up part of a SQL migration; None for migrations in other languages."""
    lint: str
    """The name the naming convention applies to (`Adapter.lint_name`)."""
    sequence: str
    """What two branches must not give to different migrations (`Adapter.sequence`)."""


Listing = tuple[tuple[Listed, ...], str | None]
"""A tree's migrations, and why it could not be listed (None: it could)."""

_cache: OrderedDict[tuple[str, str, str], Listing] = OrderedDict()
_lock = threading.Lock()


def _listed(adapter: Adapter, migration: LocalMigration, dest: Path, folder: str) -> Listed:
    relative = migration.file.relative_to(dest).as_posix()
    path = relative if folder in ("", ".") else f"{folder}/{relative}"
    sql: str | None = None
    if migration.file.suffix == ".sql" and migration.file.is_file():
        sql = up_part(migration.file.read_text(encoding="utf-8", errors="replace"))
    return Listed(
        migration.version,
        migration.name,
        path,
        sql,
        adapter.lint_name(migration),
        adapter.sequence(migration),
    )


def _list_tree(git: GitTrees, adapter: Adapter, folder: str, tree: str) -> Listing:
    """The tree's migrations; when the tool refuses the folder as a whole (two files with one
    version: the very collision drift reports), each entry listed on its own, and why."""
    with tempfile.TemporaryDirectory(prefix="wttui-drift-") as temp:
        dest = Path(temp) / "tree"
        dest.mkdir()
        try:
            git.export_tree(tree, dest, adapter.tree_paths)
        except WttuiError as exc:
            return (), str(exc)
        try:
            found = adapter.local(dest)
            return tuple(_listed(adapter, m, dest, folder) for m in found), None
        except WttuiError as exc:
            return _entry_by_entry(adapter, dest, folder, Path(temp)), str(exc)


def _entry_by_entry(adapter: Adapter, dest: Path, folder: str, temp: Path) -> tuple[Listed, ...]:
    """Each top-level entry of `dest` listed alone (an entry the tool can't list alone, such
    as a down file without its up file, lists nothing)."""
    found: list[Listed] = []
    for index, entry in enumerate(sorted(dest.iterdir())):
        alone = temp / f"entry-{index}"
        alone.mkdir()
        if entry.is_dir():
            shutil.copytree(entry, alone / entry.name)
        else:
            shutil.copy2(entry, alone / entry.name)
        try:
            found.extend(_listed(adapter, m, alone, folder) for m in adapter.local(alone))
        except WttuiError:
            continue
    return tuple(found)


def list_branches(
    git: GitTrees, adapter: Adapter, folder: str, branches: list[str]
) -> tuple[dict[str, tuple[Listed, ...]], dict[str, str]]:
    """Each branch's migrations under `folder` (relative to the repository), and the branches
    whose migrations the tool could not read, with why (a malformed file on that branch)."""
    trees = git.trees_at(branches, folder)
    listings: dict[str, Listing] = {}
    for tree in dict.fromkeys(t for t in trees.values() if t is not None):
        key = (adapter.name, folder, tree)
        with _lock:
            cached = _cache.get(key)
            if cached is not None:
                _cache.move_to_end(key)
        if cached is None:
            cached = _list_tree(git, adapter, folder, tree)
            with _lock:
                _cache[key] = cached
                while len(_cache) > _KEPT:
                    _cache.popitem(last=False)
        listings[tree] = cached
    found: dict[str, tuple[Listed, ...]] = {}
    problems: dict[str, str] = {}
    for branch in branches:
        sha = trees.get(branch)
        migrations, problem = listings[sha] if sha is not None else ((), None)
        found[branch] = migrations
        if problem is not None:
            problems[branch] = problem
    return found, problems
