"""Moving a worktree's database into the trash, back out of it, and purging it, per kind.

| kind | into the trash | back | purge |
|---|---|---|---|
| database | `ALTER DATABASE … RENAME` | renamed back | `DROP DATABASE` |
| schema | `ALTER SCHEMA … RENAME` | renamed back | `DROP SCHEMA … CASCADE` |
| container | stopped and renamed, volume attached | renamed back, started | removed, volume too |
| container database | renamed inside the container | renamed back | dropped inside it |

Every name goes through `psycopg.sql`. A database with open sessions is refused (named) unless
forced, when they are ended first, as a forced drop would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from psycopg import sql

from wttui.core.lifecycle_names import TRASH_PREFIX
from wttui.core.logsink import LogSink
from wttui.core.models import DbTarget, Worktree
from wttui.errors import InvalidInput, WttuiError
from wttui.lifecycle.ownership import worktree_role
from wttui.lifecycle.trash import TrashIndex, TrashItem
from wttui.providers.docker_engine import DockerProvider
from wttui.providers.pg_copies import DatabaseCopies
from wttui.providers.postgres import PostgresProvider
from wttui.providers.server import Server
from wttui.strategies.container_role import of_container


class SoftDrops:
    """Trash operations for one project."""

    def __init__(
        self, server: Server, docker: Callable[[], DockerProvider], index: TrashIndex
    ) -> None:
        self.server = server
        self._docker = docker
        self.index = index

    # -- where each kind lives -----------------------------------------------------------------

    def _copies(self, item_or_target: TrashItem | DbTarget) -> DatabaseCopies:
        container = (
            item_or_target.container
            if isinstance(item_or_target, TrashItem)
            else item_or_target.container
        )
        if container:
            return DatabaseCopies(PostgresProvider(self._container_admin(container)))
        return DatabaseCopies(self.server.provider())

    def _container_admin(self, container: str) -> str:
        info = self._docker().get(container)
        if info is None or not info.running or not info.port:
            raise InvalidInput(
                f"Container {container} is not running",
                hint=f"start it (`wttui start`), or `docker start {container}`",
            )
        return of_container(info.environment).admin_url(info.port)

    def _schema_names(self, database: str) -> set[str]:
        with self.server.provider().connect(database, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                (TRASH_PREFIX.replace("_", "\\_") + "%",),
            ).fetchall()
        return {str(row[0]) for row in rows}

    # -- into the trash ------------------------------------------------------------------------

    def trash(
        self,
        target: DbTarget,
        *,
        worktree: Worktree | None,
        reason: str,
        whole_container: bool = True,
        worktree_removed: bool = False,
        force: bool = False,
        size_bytes: int | None = None,
        sink: LogSink,
    ) -> TrashItem:
        """Move `target` into the trash and record it.

        Raises:
            DatabaseInUse: open sessions on a database and not `force` (nothing moved).
        """
        now = datetime.now(UTC)
        if target.schema is not None:
            kind, original = "schema", target.schema
            name = self.index.new_name(original, now, self._schema_names(target.name))
        elif target.container and whole_container:
            kind, original = "container", target.container
            name = self.index.new_name(original, now, set())
        else:
            kind = "container database" if target.container else "database"
            original = target.name
            copies = self._copies(target)
            name = self.index.new_name(
                original, now, {d.name for d in copies.listing(TRASH_PREFIX)}
            )
            if size_bytes is None:
                found = copies.provider.get_database(original)
                size_bytes = found.size_bytes if found else None
        item = TrashItem(
            name=name,
            kind=kind,
            original=original,
            server=target.server,
            worktree=worktree.label if worktree else "",
            branch=worktree.branch if worktree else None,
            path=str(worktree.path) if worktree else "",
            reason=reason,
            trashed_at=now,
            worktree_removed=worktree_removed,
            database=target.name if kind == "schema" else "",
            container=target.container if kind == "container database" else None,
            size_bytes=size_bytes,
        )
        sink.step(f"Moving {kind} {original} to the trash as {name}")
        self._rename(item, original, name, force=force)
        self.index.add(item)
        return item

    def _rename(self, item: TrashItem, old: str, new: str, *, force: bool) -> None:
        if item.kind == "schema":
            with self.server.provider().connect(item.database, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                        sql.Identifier(old), sql.Identifier(new)
                    )
                )
        elif item.kind == "container":
            docker = self._docker()
            info = docker.get(old)
            if info is None:
                raise InvalidInput(f"Container {old} does not exist")
            if info.running:
                docker.stop(old)
            docker.rename(old, new)
        else:
            copies = self._copies(item)
            if force:
                copies.terminate(old)
            copies.rename([(old, new)])

    def swap_in(
        self,
        target: DbTarget,
        work: str,
        *,
        worktree: Worktree | None,
        reason: str,
        sink: LogSink,
    ) -> TrashItem:
        """Put database `work` in `target`'s place and `target`'s database into the trash, in
        one transaction (database and container database kinds).

        Raises:
            DatabaseInUse: open sessions on either (nothing renamed).
        """
        now = datetime.now(UTC)
        copies = self._copies(target)
        name = self.index.new_name(target.name, now, {d.name for d in copies.listing(TRASH_PREFIX)})
        kind = "container database" if target.container else "database"
        item = TrashItem(
            name=name,
            kind=kind,
            original=target.name,
            server=target.server,
            worktree=worktree.label if worktree else "",
            branch=worktree.branch if worktree else None,
            path=str(worktree.path) if worktree else "",
            reason=reason,
            trashed_at=now,
            container=target.container if target.container else None,
            size_bytes=_size(copies, target.name),
        )
        sink.step(f"Swapping {work} in for {target.name} (the old one goes to the trash as {name})")
        copies.rename([(target.name, name), (work, target.name)])
        self.index.add(item)
        return item

    def rename_into(self, target: DbTarget, work: str) -> None:
        """Database `work` takes `target`'s (free) name."""
        self._copies(target).rename([(work, target.name)])

    def drop_now(self, target: DbTarget) -> bool:
        """Drop `target`'s database (or schema) for good, ending its sessions: a throwaway
        test database. Never a container: only the database inside it."""
        if target.schema is not None:
            with self.server.provider().connect(target.name, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                        sql.Identifier(target.schema)
                    )
                )
            return True
        return self._copies(target).drop(target.name, force=True)

    def fresh_database(self, target: DbTarget) -> None:
        """An empty database under `target`'s name in its container (after a soft reset),
        owned by the role its worktree connects as."""
        if target.container:
            owner = worktree_role(self.server, target)
            self._copies(target).provider.create_database(target.name, owner=owner)

    # -- back out ------------------------------------------------------------------------------

    def exists(self, item: TrashItem) -> bool:
        """Whether the trashed thing is still there (a purge elsewhere may have dropped it)."""
        try:
            if item.kind == "schema":
                return item.name in self._schema_names(item.database)
            if item.kind == "container":
                return self._docker().get(item.name) is not None
            return bool(self._copies(item).existing([item.name]))
        except WttuiError:
            return False

    def original_taken(self, item: TrashItem) -> bool:
        """Whether something now has the name the item would get back."""
        if item.kind == "schema":
            with self.server.provider().connect(item.database, autocommit=True) as conn:
                row = conn.execute(
                    "SELECT 1 FROM pg_namespace WHERE nspname = %s", (item.original,)
                ).fetchone()
            return row is not None
        if item.kind == "container":
            return self._docker().get(item.original) is not None
        return bool(self._copies(item).existing([item.original]))

    def put_back(self, item: TrashItem, *, swap: bool = False, sink: LogSink) -> TrashItem | None:
        """Rename the item back to its original name (a container is started again). With
        `swap`, what has the name now goes to the trash in the same step; returned then.

        Raises:
            DatabaseInUse: open sessions on a database to rename (nothing renamed).
        """
        sink.step(f"Bringing {item.kind} {item.original} back from {item.name}")
        replaced = None
        if swap and item.kind in ("database", "container database"):
            now = datetime.now(UTC)
            copies = self._copies(item)
            name = self.index.new_name(
                item.original, now, {d.name for d in copies.listing(TRASH_PREFIX)}
            )
            copies.rename([(item.original, name), (item.name, item.original)])
            replaced = replace(item, name=name, reason="undo", trashed_at=now)
        elif swap and item.kind == "schema":
            now = datetime.now(UTC)
            name = self.index.new_name(item.original, now, self._schema_names(item.database))
            with self.server.provider().connect(item.database) as conn, conn.transaction():
                for old, new in ((item.original, name), (item.name, item.original)):
                    conn.execute(
                        sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                            sql.Identifier(old), sql.Identifier(new)
                        )
                    )
            replaced = replace(item, name=name, reason="undo", trashed_at=now)
        else:
            self._rename(item, item.name, item.original, force=False)
            if item.kind == "container":
                self._docker().start(item.original)
        self.index.forget(item.name)
        if replaced is not None:
            self.index.add(replace(replaced, worktree_removed=False))
        return replaced

    def purge(self, item: TrashItem, *, sink: LogSink) -> bool:
        """Drop the item for good; False when it was already gone (it leaves the index)."""
        gone = False
        if not self.exists(item):
            sink.line(f"{item.name} was already gone")
        elif item.kind == "schema":
            sink.line(f"Dropping schema {item.name} in {item.database}")
            with self.server.provider().connect(item.database, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(item.name)))
            gone = True
        elif item.kind == "container":
            docker = self._docker()
            info = docker.get(item.name)
            sink.line(f"Removing container {item.name} and its volume")
            docker.remove(item.name, volume=info.volume if info else None)
            gone = True
        else:
            sink.line(f"Dropping database {item.name}")
            gone = self._copies(item).drop(item.name, force=True)
        self.index.forget(item.name)
        return gone


def _size(copies: DatabaseCopies, name: str) -> int | None:
    found = copies.provider.get_database(name)
    return found.size_bytes if found else None
