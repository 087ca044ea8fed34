"""The `database` and `shared` strategies: databases on one server.

`database` gives each worktree its own database (name template with `{worktree}`); `shared`
points several worktrees at one database on purpose (template without it) and refuses to drop
it. `plan` maps a worktree label to its database name (F1) and URL without touching the server;
`provision` creates the database (optionally from a template) or adopts an existing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DatabaseInfo, DbTarget, TargetKey
from wttui.core.naming import database_name, role_name
from wttui.core.urls import mask_url, url_parts
from wttui.providers.server import Server
from wttui.strategies.base import refuse_shared, unowned

if TYPE_CHECKING:
    from wttui.config_model import Config


class DatabaseStrategy:
    """Plans and provisions a database per worktree, or one shared database (`shared=True`)."""

    description: ClassVar[str] = "own database"

    @classmethod
    def from_config(cls, *, config: Config, server: Server, project: str) -> DatabaseStrategy:
        database = config.database
        shared = cls is SharedStrategy
        return cls(
            server,
            project=project,
            template=database.name_for("shared" if shared else "database"),
            source_db=database.template,
            shared=shared,
        )

    def __init__(
        self,
        server: Server,
        *,
        project: str,
        template: str,
        source_db: str = "",
        shared: bool = False,
    ) -> None:
        self.name = "shared" if shared else "database"
        self.shared = shared
        self.server = server
        self.project = project
        self.template = template
        self.source_db = source_db
        """A database to copy new ones from (`[database] template`); empty: start empty."""
        self.role = role_name(project)
        """The login role worktrees connect as; it owns their databases."""

    def database_for(self, label: str) -> str:
        """The database name for the worktree called `label`."""
        return database_name(self.template, project=self.project, label=label)

    def plan(self, label: str) -> DbTarget:
        """The target for `label`: name, URL and server (starts the embedded server if needed)."""
        name = self.database_for(label)
        url = self.server.worktree_url(self.role, name)
        return DbTarget(
            strategy=self.name,
            name=name,
            url=url,
            masked_url=mask_url(url),
            server=self.server.label,
            shared=self.shared,
            description=self.description,
        )

    def inventory(self) -> dict[TargetKey, DatabaseInfo]:
        provider = self.server.provider()
        return {TargetKey("", info.name, None): info for info in provider.list_databases()}

    def info(self, target: DbTarget) -> DatabaseInfo | None:
        return self.server.provider().get_database(target.name)

    def provision(
        self,
        target: DbTarget,
        *,
        sink: LogSink,
        adopt: bool = False,
        owned: bool = False,
        cancel: CancelToken | None = None,
    ) -> bool:
        """Make sure the target database exists. Returns True when it was created now.

        Args:
            target: from `plan`.
            sink: receives the step narration.
            adopt: use an existing database that no worktree owns instead of refusing.
            owned: the database already belongs to this worktree (a resumed create).
            cancel: unused (one quick statement: nothing to wait for).

        Raises:
            AdoptableDatabase: it exists, belongs to no worktree, and `adopt` is False.
        """
        del cancel
        provider = self.server.provider()
        owner = url_parts(target.url)["user"] if self.server.owns_roles else ""
        if provider.database_exists(target.name):
            if not (adopt or owned or target.shared):
                raise unowned(target)
            sink.line(f"Database {target.name} already exists: using it")
            if owner:  # made before worktrees had their own role: theirs from now on
                from wttui.providers.pg_owners import hand_over

                if hand_over(provider, target.name, owner, None):
                    sink.line(f"Its owner is now {owner}, the role its worktrees connect as")
            return False
        if self.source_db:
            sink.step(f"Creating database {target.name} from template {self.source_db}")
        else:
            sink.step(f"Creating database {target.name} on {target.server}")
        provider.create_database(target.name, template=self.source_db or None, owner=owner or None)
        return True

    def drop(
        self, target: DbTarget, *, sink: LogSink, purge: bool = False, force: bool = False
    ) -> bool:
        """Drop the target database (`force`: ending its sessions). False when it was absent."""
        del purge  # nothing outlives a dropped database
        refuse_shared(target, "drop")
        sink.step(f"Dropping database {target.name} on {target.server}")
        dropped = self.server.provider().drop_database(target.name, force=force)
        if not dropped:
            sink.line(f"Database {target.name} was already gone")
        return dropped


class SharedStrategy(DatabaseStrategy):
    """One database for several worktrees, on purpose: never dropped or reset from one of them."""

    description: ClassVar[str] = "SHARED database (never dropped or reset from here)"
