"""The read model: what the app's refresh and `wttui status` show, read without writing.

A read lists the worktrees once, plans each one's database (`WorktreeContext`), asks each
strategy in use for everything it has in one round trip, then reads every worktree's env file
and migration state in parallel. A server that is down does not fail the read: the worktrees
are still listed, with `server_error` set. Reads never write: git runs without optional locks,
migration states come from read-only sessions, and nothing is created anywhere.

`Reader` is the app's: it keeps what the last read saw and, unless asked for a full read,
re-reads only what changed — a worktree whose HEAD or index moved, whose files the watcher
reported, or whose database the server's statistics say was written to. A read that finds
nothing changed costs one `git worktree list`, a `stat` per worktree and one statistics query,
and returns the previous snapshot itself.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Collection, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from wttui.core.models import (
    DatabaseInfo,
    DbStatus,
    MigrationState,
    RepoSnapshot,
    TargetKey,
    Worktree,
    WorktreeView,
)
from wttui.core.naming import name_prefix
from wttui.core.sharing import with_sharing
from wttui.drift.holders import name_owners
from wttui.errors import InvalidInput, WttuiError
from wttui.providers.conninfo import location
from wttui.providers.server import load_driver_early
from wttui.worktree_view import view_of

if TYPE_CHECKING:
    from wttui.migrations.adapter import LocalMigration
    from wttui.providers.git_porcelain import WorktreeEntry
    from wttui.services import Services, WorktreeContext

_WORKERS = min(8, (os.cpu_count() or 2) * 2)
"""Per-worktree reads are I/O bound (a connection, a file): a few threads overlap them."""

_SERVER_STRATEGIES = frozenset({"database", "shared", "schema"})
"""Strategies whose databases live on the project's server (its statistics say what changed)."""


def read_snapshot(services: Services) -> RepoSnapshot:
    """A full read (`wttui status`). Blocking: call it from a worker thread."""
    return Reader(services).read(full=True)


def read_view(services: Services, ref: str) -> WorktreeView:
    """The read model of one worktree (named as `resolve` accepts).

    Raises:
        InvalidInput: no worktree matches.
    """
    path = services.resolve(ref).path
    for view in read_snapshot(services).views:
        if view.worktree.path == path:
            return view
    raise InvalidInput(f"No worktree for {ref!r}")


@dataclass(frozen=True)
class _Seen:
    """What the last read saw of one worktree."""

    entry: WorktreeEntry
    index_mtime: int
    context: WorktreeContext | None
    view: WorktreeView


class Reader:
    """Reads snapshots for one app, re-reading only what changed since the last one."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._lock = threading.Lock()
        self._last: RepoSnapshot | None = None
        self._seen: dict[Path, _Seen] = {}
        self._activity: dict[str, tuple[int, int]] | None = None
        self._databases: dict[TargetKey, DatabaseInfo] = {}

    def read(
        self,
        *,
        full: bool = False,
        changed: Collection[Path] = (),
        touched: Collection[Path] = (),
    ) -> RepoSnapshot:
        """A snapshot, re-reading everything (`full`) or only what changed: worktrees whose
        HEAD or index moved, that hold a `changed` file (from the watcher) or were `touched` by
        an action, or whose database was written to. Returns the previous snapshot object when
        nothing changed. Blocking: call it from a worker thread.
        """
        with self._lock:
            return self._read(full or self._last is None, changed, touched)

    def _read(
        self, full: bool, changed: Collection[Path], touched: Collection[Path]
    ) -> RepoSnapshot:
        services = self._services
        load_driver_early()  # loads while git answers below
        entries = services.git.entries()
        common = services.git.common_dir
        # Files in git's own directory (HEAD, index, worktree entries) show in the listing and
        # the index times below; the rest belong to the worktree that holds them.
        files = [path for path in changed if path != common and common not in path.parents]
        touched_paths = set(touched) | {
            entry.path for entry in entries if _contains_any(entry.path, files)
        }
        stale = [
            entry
            for entry in entries
            if full
            or entry.path in touched_paths
            or (seen := self._seen.get(entry.path)) is None
            or seen.entry != entry
            or seen.index_mtime != _index_mtime(services, entry)
        ]
        fresh = {w.path: w for w in services.git.read_many(stale)}
        worktrees = [fresh.get(e.path) or self._seen[e.path].view.worktree for e in entries]

        with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
            server_error: str | None = None
            contexts: dict[Path, WorktreeContext] = {}
            early: dict[Path, Future[list[LocalMigration]]] = {}
            written: set[str] = set()
            try:
                for worktree in worktrees:
                    seen = self._seen.get(worktree.path)
                    reuse = not full and seen is not None and seen.context is not None
                    reuse = reuse and worktree.path not in touched_paths  # its env file may differ
                    if reuse and seen is not None and seen.entry.branch == worktree.branch:
                        assert seen.context is not None
                        contexts[worktree.path] = seen.context
                    else:
                        contexts[worktree.path] = services.context(worktree)
                if full:  # every folder is read: list them while the server answers below
                    early = {
                        w.path: pool.submit(_local, contexts[w.path])
                        for w in worktrees
                        if not w.prunable and not contexts[w.path].target.none
                    }
                written = self._read_databases(
                    worktrees, full or bool(touched_paths) or bool(stale)
                )
            except WttuiError as exc:
                server_error = str(exc)

            def must_read(worktree: Worktree) -> bool:
                seen = self._seen.get(worktree.path)
                if full or seen is None or worktree.path in fresh or server_error is not None:
                    return True
                context = contexts.get(worktree.path)
                if context is None or seen.view.errors or seen.view.target is None:
                    return True
                if context.target.name in written:
                    return True
                info = self._databases.get(context.target.key)
                absent = (DbStatus.MISSING, DbStatus.NONE)
                return (info is None) != (seen.view.db_status in absent)

            to_read = [w for w in worktrees if must_read(w)]
            same_list = [e.path for e in entries] == list(self._seen)
            if not to_read and same_list and self._last is not None and not self._last.server_error:
                return self._last  # nothing changed
            read = dict(
                zip(
                    [w.path for w in to_read],
                    pool.map(
                        lambda w: view_of(
                            services,
                            w,
                            contexts.get(w.path),
                            self._databases,
                            server_error,
                            early.get(w.path),
                        ),
                        to_read,
                    ),
                    strict=True,
                )
            )
        views = []
        for worktree in worktrees:
            view = read.get(worktree.path)
            if view is None:
                view = self._refreshed(self._seen[worktree.path].view, contexts[worktree.path])
            views.append(view)
        views = with_sharing(views, location)
        if any(m.state is MigrationState.APPLIED_ELSEWHERE for v in views for m in v.migrations):
            views = name_owners(views, _branch_versions(services, worktrees, contexts))
        self._seen = {
            entry.path: _Seen(entry, _index_mtime(services, entry), contexts.get(entry.path), view)
            for entry, view in zip(entries, views, strict=True)
        }
        used = {view.target.key for view in views if view.target}
        self._last = RepoSnapshot(
            root=services.root,
            project=services.project,
            server=services.server_label,
            views=tuple(views),
            server_error=server_error,
            orphans=_orphans(services, self._databases, used) if server_error is None else (),
            watched=_watched(services, entries, contexts),
        )
        return self._last

    def _read_databases(self, worktrees: list[Worktree], everything: bool) -> set[str]:
        """Refresh the inventory where it may have changed; the names of the databases on the
        server that were written to since the last read.

        Raises:
            WttuiError: the server (or the Docker engine) cannot be reached.
        """
        services = self._services
        in_use = {services.config.strategy_for(w.branch) for w in worktrees}
        on_server = in_use & _SERVER_STRATEGIES
        with services.server.one_login() if on_server else nullcontext():
            return self._read_inventory(in_use, on_server, everything)

    def _read_inventory(self, in_use: set[str], on_server: set[str], everything: bool) -> set[str]:
        services = self._services
        written: set[str] = set()
        activity_moved = False
        if on_server:
            activity = services.server.provider().activity()
            previous = self._activity
            if previous is not None:
                written = {
                    name
                    for name, (rows, _) in activity.items()
                    if previous.get(name, (None, None))[0] != rows
                }
            activity_moved = previous is None or activity != previous
            self._activity = activity
        if everything or activity_moved:
            databases: dict[TargetKey, DatabaseInfo] = {}
            for name in in_use:
                databases.update(services.strategy(name).inventory())
            self._databases = databases
        return written

    def _refreshed(self, view: WorktreeView, context: WorktreeContext) -> WorktreeView:
        """A view nothing changed in, with its database's latest size and sessions."""
        info = self._databases.get(context.target.key)
        if info is None or view.database is None or info == view.database:
            return view
        return replace(view, database=info)


def _local(context: WorktreeContext) -> list[LocalMigration]:
    """The worktree's migration folder, read (and its tool found) while the server lists its
    databases: a full read overlaps the two instead of waiting for one, then the other."""
    return context.tool.local()


def _contains_any(root: Path, paths: Iterable[Path]) -> bool:
    return any(path == root or root in path.parents for path in paths)


def _index_mtime(services: Services, entry: WorktreeEntry) -> int:
    """When the worktree's index last changed (a commit, `git add`, a checkout), -1 if none."""
    admin = services.git.common_dir if entry.is_main else services.git.admin_dir(entry.path)
    try:
        return (admin / "index").stat().st_mtime_ns if admin else -1
    except OSError:
        return -1


def _watched(
    services: Services, entries: list[WorktreeEntry], contexts: dict[Path, WorktreeContext]
) -> tuple[Path, ...]:
    """What a user changes that the app should notice: worktrees added or removed, each
    worktree's HEAD and index, its migration folder and its env file."""
    git = services.git
    paths: list[Path] = [git.worktrees_meta_dir, git.common_dir / "HEAD", git.common_dir / "index"]
    for entry in entries:
        admin = git.admin_dir(entry.path)
        if admin is not None:
            paths += [admin / "HEAD", admin / "index"]
        context = contexts.get(entry.path)
        if context is not None and not entry.prunable:
            paths.extend(context.tool.watch_paths())
        paths.append(services.env_path(entry.path))
    return tuple(dict.fromkeys(paths))


def _orphans(
    services: Services, databases: dict[TargetKey, DatabaseInfo], used: set[TargetKey]
) -> tuple[DatabaseInfo, ...]:
    """Databases named like this project's per-worktree ones that no worktree uses."""
    prefix = name_prefix(services.config.database.name_for("database"), project=services.project)
    return tuple(
        info
        for key, info in sorted(databases.items(), key=lambda item: item[0].database)
        if not key.container
        and key.schema is None
        and key.database.startswith(prefix)
        and key not in used
    )


def _branch_versions(
    services: Services, worktrees: list[Worktree], contexts: dict[Path, WorktreeContext]
) -> dict[str, dict[str, str]]:
    """Each local branch without a worktree: its migrations' identities and names, as the main
    worktree's tool lists them (read through git, nothing checked out)."""
    from wttui.drift.listing import list_branches
    from wttui.providers.git_trees import GitTrees

    checked_out = {w.branch for w in worktrees}
    main = contexts.get(services.root)
    tool = main.tool if main else services.migration_tool(services.root)
    relative = tool.folder.relative_to(services.root).as_posix()
    git = services.git
    branches = [b for b in git.local_branches() if b not in checked_out]
    listed, _problems = list_branches(GitTrees(git.root), tool.adapter, relative, branches)
    return {branch: {m.version: m.name for m in found} for branch, found in listed.items()}
