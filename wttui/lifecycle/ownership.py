"""Who owns a worktree's database after wttui copied or filled it.

On a server where wttui owns roles (the embedded cluster), worktrees connect as the project's
login role, not the superuser, and a database made by a create with no template is that role's
from the start: `CREATE DATABASE … OWNER role`, then its migrations run as the role, so every
table, sequence and schema they make is the role's (and `public`, owned by
`pg_database_owner`, follows the database's owner). A copy — a template clone, `create --from`,
`clone`, a restore, a rebuild — is made by the admin, so without this step it would belong to
the superuser and the worktree could not migrate or even read it. `hand_to_worktree` gives the
copy to the worktree's role, leaving it as a replayed create would.
"""

from __future__ import annotations

from wttui.core.models import DbTarget
from wttui.core.urls import url_parts
from wttui.providers.pg_owners import hand_over
from wttui.providers.postgres import PostgresProvider
from wttui.providers.server import Server
from wttui.strategies.container_role import login_role


def worktree_role(server: Server, target: DbTarget) -> str | None:
    """The role `target`'s worktree connects as, when wttui made it (and so must hand it what
    it copies): on the embedded cluster, and in a container made with a login role; None on a
    configured server (the URL's owner chose it) or in a container that hands out its
    superuser (`strategies.container_role`)."""
    if target.container is not None:
        return login_role(target.url, target.admin) if target.admin else None
    if not server.owns_roles:
        return None
    return url_parts(target.url)["user"] or None


def misowned(server: Server, target: DbTarget, owner: str | None) -> str | None:
    """The role `target`'s database should belong to, when its `owner` (from the catalog) is
    another one; None when it is right, or when wttui owns no roles there."""
    role = worktree_role(server, target)
    if role is None or target.schema is not None or not owner or owner == role:
        return None
    return role


def hand_to_worktree(
    server: Server, target: DbTarget, dbname: str | None = None, *, schema: str | None = None
) -> int:
    """Make `target`'s worktree role the owner of database `dbname` (default: the target's) —
    or, given `schema`, of that schema — and of everything the admin made in it; how many
    objects changed hands (0 where wttui owns no roles)."""
    role = worktree_role(server, target)
    if role is None:
        return 0
    admin = PostgresProvider(target.admin) if target.container else server.provider()
    return hand_over(admin, dbname or target.name, role, schema)
