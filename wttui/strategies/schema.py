"""The `schema` strategy: one database for the project, a schema per worktree in it.

The worktree's app gets `postgresql://…/db?schema=NAME` (Prisma's form; the schema also goes to
any `[env.keys]` that use `{schema}`), while wttui itself connects with libpq's
`options=-csearch_path=NAME`, so migrations land in the worktree's schema. Dropping is
`DROP SCHEMA … CASCADE`, only ever after the typed confirmation the app and CLI ask for.
Reserved schemas (`public`, `information_schema`, `pg_*`, `wttui`) are never made, adopted or
dropped, whatever a branch is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DatabaseInfo, DbTarget, TargetKey
from wttui.core.naming import check_schema_name, database_name, is_reserved_schema, role_name
from wttui.core.urls import mask_url, url_parts, with_query
from wttui.errors import Refused
from wttui.providers.pg_schemas import SchemaProvider
from wttui.providers.server import Server
from wttui.strategies.base import refuse_shared, unowned

if TYPE_CHECKING:
    from wttui.config_model import Config


class SchemaStrategy:
    """Plans and provisions a schema per worktree in the project's one database."""

    name = "schema"
    description: ClassVar[str] = "own schema in a shared database"

    @classmethod
    def from_config(cls, *, config: Config, server: Server, project: str) -> SchemaStrategy:
        database = config.database
        return cls(
            server, project=project, template=database.name_for("schema"), schema=database.schema
        )

    def __init__(self, server: Server, *, project: str, template: str, schema: str) -> None:
        self.server = server
        self.project = project
        self.database = database_name(template, project=project, label="")
        self.schema_template = schema
        self.role = role_name(project)
        """The login role worktrees connect as; it owns the database and their schemas."""

    def _schemas(self) -> SchemaProvider:
        return SchemaProvider(self.server.provider(), self.database)

    def plan(self, label: str) -> DbTarget:
        schema = database_name(self.schema_template, project=self.project, label=label)
        base = self.server.worktree_url(self.role, self.database)
        url = with_query(base, schema=schema)
        return DbTarget(
            strategy=self.name,
            name=self.database,
            url=url,
            masked_url=mask_url(url),
            server=self.server.label,
            schema=schema,
            conninfo=with_query(base, options=f"-csearch_path={schema}"),
            description=self.description,
        )

    def inventory(self) -> dict[TargetKey, DatabaseInfo]:
        provider = self.server.provider()
        if not provider.database_exists(self.database):
            return {}
        return {
            TargetKey("", self.database, schema): DatabaseInfo(f"{self.database}.{schema}", size)
            for schema, size in self._schemas().sizes().items()
        }

    def info(self, target: DbTarget) -> DatabaseInfo | None:
        if target.schema is None or not self.server.provider().database_exists(self.database):
            return None
        return self._schemas().info(target.schema)

    def provision(
        self,
        target: DbTarget,
        *,
        sink: LogSink,
        adopt: bool = False,
        owned: bool = False,
        cancel: CancelToken | None = None,
    ) -> bool:
        del cancel  # two quick statements: nothing to wait for
        assert target.schema is not None
        check_schema_name(target.schema)  # before the database is made
        provider = self.server.provider()
        owner = url_parts(target.url)["user"] if self.server.owns_roles else ""
        if not provider.database_exists(self.database):
            sink.step(f"Creating database {self.database} on {target.server} (one for all schemas)")
            provider.create_database(self.database, owner=owner or None)
        if self._schemas().info(target.schema) is not None:
            if not (adopt or owned):
                raise unowned(target, "Schema")
            sink.line(f"Schema {target.label} already exists: using it")
            if owner:  # made before worktrees had their own role: theirs from now on
                from wttui.providers.pg_owners import hand_over

                if hand_over(provider, self.database, owner, target.schema):
                    sink.line(f"Its owner is now {owner}, the role its worktrees connect as")
            return False
        sink.step(f"Creating schema {target.label}")
        self._schemas().create(target.schema, owner=owner or None)
        return True

    def drop(
        self, target: DbTarget, *, sink: LogSink, purge: bool = False, force: bool = False
    ) -> bool:
        del purge, force  # nothing outlives a dropped schema; sessions span the whole database
        refuse_shared(target, "drop")
        assert target.schema is not None
        if is_reserved_schema(target.schema):
            raise Refused(
                f"Schema {target.label} is PostgreSQL's or wttui's own: wttui never drops it",
                hint="drop what you need from it by hand",
            )
        sink.step(f"Dropping schema {target.label} and everything in it (CASCADE)")
        dropped = self._schemas().drop(target.schema)
        if not dropped:
            sink.line(f"Schema {target.label} was already gone")
        return dropped
