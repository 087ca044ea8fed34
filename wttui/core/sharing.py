"""Which worktrees use the same database: by plan (the same target) or by what their `.env`
says (a hand-set URL pointing at another worktree's database). Pure: no I/O.

A database that another worktree uses is never dropped or reset from one worktree's action;
this is the one place that decides what "uses" means.
"""

from __future__ import annotations

from dataclasses import replace

from wttui.core.models import DbTarget, WorktreeView
from wttui.core.urls import url_parts

_LOOPBACK = {"localhost", "127.0.0.1", "::1", ""}
_FIELDS = ("host", "port", "database", "schema")


def _where(url: str) -> list[str]:
    """Host, port, database and schema of `url`; the loopback names count as one host."""
    parts = url_parts(url)
    host = "loopback" if parts["host"] in _LOOPBACK else parts["host"]
    return [host, *(parts[field] for field in _FIELDS[1:])]


def same_database(url: str | None, target_url: str) -> bool:
    return bool(url) and _where(url or "") == _where(target_url)


def shares(target: DbTarget, other: DbTarget | None, other_env_url: str | None) -> bool:
    """Whether another worktree, planned at `other` with `other_env_url` in its `.env`, uses
    `target`'s database."""
    same_plan = other is not None and other.key == target.key
    return same_plan or same_database(other_env_url, target.url)


def with_sharing(views: list[WorktreeView]) -> list[WorktreeView]:
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
            and shares(target, other.target, other.env.database_url if other.env else None)
        )
        result.append(replace(view, shared_with=shared) if shared != view.shared_with else view)
    return result
