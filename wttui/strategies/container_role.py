"""The role a worktree's container gives its worktree: never the container's superuser.

A container starts with the image's superuser (`POSTGRES_USER`, `POSTGRES_PASSWORD`), which
wttui alone uses, to create, copy and drop databases inside it (`DbTarget.admin`). Once the
container accepts connections, wttui makes the project's login role in it (`wttui_<project>`:
no superuser, no CREATEROLE, no CREATEDB) and hands it the container's database; the worktree's
`.env` gets that role, so its migrations and its app run as the role, as on the embedded
cluster. A superuser can run programs on the machine it runs on (`COPY … TO PROGRAM`); in a
container that is the container, still not something a worktree's app should hold.

The role's name and password live in the container's environment (`WTTUI_ROLE`,
`WTTUI_ROLE_PASSWORD`), next to the superuser's own password and as readable as it, so a plan
finds them in the container listing without writing anything. A container made before this
(or by `docker compose`) has no `WTTUI_ROLE`: its worktree keeps the URL it had, and
`wttui doctor` says the worktree connects as a superuser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from wttui.core.logsink import LogSink
from wttui.core.models import DbTarget
from wttui.core.urls import build_url, url_parts
from wttui.providers.pg_owners import hand_over
from wttui.providers.pg_roles import ensure_login_role
from wttui.providers.postgres import PostgresProvider

ENV_ROLE = "WTTUI_ROLE"
ENV_ROLE_PASSWORD = "WTTUI_ROLE_PASSWORD"


@dataclass(frozen=True)
class Credentials:
    """Who logs in to a container: its superuser (wttui's) and its worktree's login."""

    admin_user: str
    admin_password: str
    user: str
    password: str

    def admin_url(self, port: int) -> str:
        """The superuser's URL to the maintenance database of the container on `port`."""
        return build_url(
            host="127.0.0.1",
            port=port,
            dbname="postgres",
            user=self.admin_user,
            password=self.admin_password,
        )

    @property
    def superuser_login(self) -> bool:
        """The worktree logs in as the container's superuser (a container from before roles,
        or one `docker compose` made)."""
        return self.user == self.admin_user

    def environment(self, database: str) -> dict[str, str]:
        """The environment a new container is made with."""
        environment = {
            "POSTGRES_USER": self.admin_user,
            "POSTGRES_PASSWORD": self.admin_password,
            "POSTGRES_DB": database,
        }
        if not self.superuser_login:
            environment[ENV_ROLE] = self.user
            environment[ENV_ROLE_PASSWORD] = self.password
        return environment


def of_container(environment: Mapping[str, str]) -> Credentials:
    """The credentials an existing container was made with (its environment)."""
    admin_user = environment.get("POSTGRES_USER", "postgres")
    admin_password = environment.get("POSTGRES_PASSWORD", "")
    role = environment.get(ENV_ROLE, "")
    if not role:
        return Credentials(admin_user, admin_password, admin_user, admin_password)
    return Credentials(admin_user, admin_password, role, environment.get(ENV_ROLE_PASSWORD, ""))


def of_target(target: DbTarget) -> Credentials:
    """The logins planned for `target` (its container's superuser's and its worktree's)."""
    admin, login = url_parts(target.admin), url_parts(target.url)
    return Credentials(admin["user"], admin["password"], login["user"], login["password"])


def login_role(url: str, admin_url: str) -> str | None:
    """The role a container's worktree logs in as (its URL's user), when it is not the
    container's superuser; None for a container that hands out its superuser."""
    user = url_parts(url)["user"]
    return user if user and user != url_parts(admin_url)["user"] else None


def give_role(admin_url: str, url: str, database: str, *, sink: LogSink) -> None:
    """Make the worktree's login role of `url` in the container of `admin_url` (idempotent)
    and hand it `database` with everything in it, so the worktree never needs the superuser.

    Raises:
        DatabaseUnavailable, DatabaseError: the container's server refused.
        Refused: the role exists in the container as a superuser or was not made by wttui.
    """
    role = login_role(url, admin_url)
    if role is None:
        return
    parts = url_parts(url)
    ensure_login_role(admin_url, role, password=parts["password"])
    moved = hand_over(PostgresProvider(admin_url), database, role, None)
    if moved:
        sink.line(f"{database} now belongs to {role}, the role its worktree connects as")
