"""Which worktrees use the same database: by plan (the same target) or by what their `.env`
says (a hand-set URL or keyword DSN pointing at another worktree's database). Pure: no I/O.

A database that another worktree uses is never dropped or reset from one worktree's action;
this is the one place that decides what "uses" means. Connection strings are parsed outside
`core` (libpq's own parser, through psycopg: `providers/conninfo.py`) and passed in as a
`Locate` function; here they are compared by server, database and schema, where every name for
this machine (127.0.0.1, localhost, ::1, a socket directory) is one host.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from wttui.core.models import DbTarget, WorktreeView

LOCAL = "this machine"
_LOOPBACK_NAMES = frozenset({"", "localhost", "localhost.localdomain", "::1", "0:0:0:0:0:0:0:1"})


def host_key(host: str) -> str:
    """`host` as compared: every way of naming this machine becomes `LOCAL`."""
    name = host.strip().lower().removeprefix("[").removesuffix("]")
    if name in _LOOPBACK_NAMES or name.startswith(("/", "@", "127.")):
        return LOCAL  # a path or an abstract name is a Unix socket on this machine
    return name


@dataclass(frozen=True)
class Location:
    """Where a connection string leads."""

    servers: frozenset[tuple[str, int]]
    """(host_key, port) of every server it may reach (libpq tries a host list in turn)."""
    database: str
    schema: str = ""
    """Prisma's `?schema=` or libpq's `options=-csearch_path=…`; '' for the default."""

    def same_database(self, other: Location) -> bool:
        return (
            bool(self.servers & other.servers)
            and self.database == other.database
            and self.schema == other.schema
        )


Locate = Callable[[str], Location | None]
"""Parses a URL or keyword DSN into a `Location` (None when it cannot be parsed)."""


def same_database(url: str | None, target_url: str, locate: Locate) -> bool:
    """Whether the connection string `url` leads to the database of `target_url`."""
    if not url:
        return False
    here, there = locate(url), locate(target_url)
    return here is not None and there is not None and here.same_database(there)


def shares(
    target: DbTarget, other: DbTarget | None, other_env_url: str | None, locate: Locate
) -> bool:
    """Whether another worktree, planned at `other` with `other_env_url` in its `.env`, uses
    `target`'s database. A worktree with no database (`strategy = "none"`) never shares: not by
    plan, not by what its `.env` says."""
    if target.none or (other is not None and other.none):
        return False
    same_plan = other is not None and other.key == target.key
    return same_plan or same_database(other_env_url, target.url, locate)


def with_sharing(views: list[WorktreeView], locate: Locate) -> list[WorktreeView]:
    """`views` with `shared_with` filled for those whose database another view also uses."""
    result = []
    for view in views:
        target = view.target
        if target is None:
            result.append(view)
            continue
        shared = tuple(
            other.worktree.label
            for other in views
            if other is not view
            and shares(target, other.target, other.env.database_url if other.env else None, locate)
        )
        result.append(replace(view, shared_with=shared) if shared != view.shared_with else view)
    return result
