"""Names of what wttui keeps for itself on a server: templates, trash and snapshots.

Each kind has a fixed prefix no worktree's database gets by default (worktree names start with
the project), the time it was made where that matters, and the original name where there is
one, so a person reading `\\l` knows what it is and when it was made. Every name is a valid
identifier of at most 63 bytes, and never collides: `fit_identifier` cuts a long one with a
hash, and a name already taken gets a counter.

`owned_kind(name)` is the one test for "this is wttui's own, not an orphan": housekeeping
(orphans, doctor) imports it rather than matching prefixes itself.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime
from enum import Enum

from wttui.core.models import DbTarget, TargetKey
from wttui.core.naming import MARK, MAX_IDENTIFIER_BYTES, fit_identifier, sanitize, short_hash

TEMPLATE_PREFIX = "wttui_tpl_"
"""A migrated template database of the template cache (named by the hash of its migrations)."""
BUILDING_PREFIX = "wttui_tplb_"
"""A template being built; renamed to its `wttui_tpl_` name in one step when complete."""
TRASH_PREFIX = "wttui_trash_"
"""A dropped database, schema or container kept for `wttui undo` until it is purged."""
SNAPSHOT_PREFIX = "wttui_snap_"
"""A snapshot kept as a template database on the same server."""
WORK_PREFIX = "wttui_work_"
"""A database wttui fills before swapping it in (restore, rebuild, clone): never a user's."""

_STAMP = "%Y%m%d%H%M%S"
_STAMPED = re.compile(r"^wttui_(?:trash|snap)_(\d{14})_")


class OwnedKind(Enum):
    TEMPLATE = "template"
    BUILDING = "template being built"
    TRASH = "trash"
    SNAPSHOT = "snapshot"
    WORK = "work in progress"


_PREFIXES = (
    (BUILDING_PREFIX, OwnedKind.BUILDING),
    (TEMPLATE_PREFIX, OwnedKind.TEMPLATE),
    (TRASH_PREFIX, OwnedKind.TRASH),
    (SNAPSHOT_PREFIX, OwnedKind.SNAPSHOT),
    (WORK_PREFIX, OwnedKind.WORK),
)


def owned_kind(name: str) -> OwnedKind | None:
    """What wttui keeps under `name` (a database, schema or container), or None when it is not
    wttui's own. Orphan listings must skip every name this recognises."""
    for prefix, kind in _PREFIXES:
        if name.startswith(prefix):
            return kind
    return None


def is_wttui_own(name: str) -> bool:
    """True for templates, trash, snapshots and work databases: never an orphan."""
    return owned_kind(name) is not None


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime(_STAMP)


def stamped_at(name: str) -> datetime | None:
    """When a trash or snapshot name was made (UTC), read from the name itself."""
    found = _STAMPED.match(name)
    if not found:
        return None
    return datetime.strptime(found.group(1), _STAMP).replace(tzinfo=UTC)


def template_name(project: str, digest: str, *, building: bool = False) -> str:
    """`wttui_tpl_<project>_<16 hex of the migrations' hash>` (`wttui_tplb_…` while built)."""
    prefix = BUILDING_PREFIX if building else TEMPLATE_PREFIX
    tail = "_" + digest[:16]
    room = MAX_IDENTIFIER_BYTES - len(prefix) - len(tail)
    head = (sanitize(project) or "p")[:room].rstrip("_")
    return prefix + head + tail


def _unique(name: str, taken: Collection[str], source: str) -> str:
    base = fit_identifier(name, source=source)
    candidate, counter = base, 2
    while candidate in taken:
        suffix = f"_{counter}"
        candidate = (
            base.encode()[: MAX_IDENTIFIER_BYTES - len(suffix)].decode(errors="ignore") + suffix
        )
        counter += 1
    return candidate


def trash_name(original: str, when: datetime, taken: Collection[str] = ()) -> str:
    """`wttui_trash_<UTC yyyymmddhhmmss>_<original>`, ≤ 63 bytes, not in `taken`."""
    return _unique(f"{TRASH_PREFIX}{stamp(when)}_{original}", taken, f"{when}{original}")


def snapshot_name(original: str, when: datetime, taken: Collection[str] = ()) -> str:
    """`wttui_snap_<UTC yyyymmddhhmmss>_<original>`, ≤ 63 bytes, not in `taken`."""
    return _unique(f"{SNAPSHOT_PREFIX}{stamp(when)}_{original}", taken, f"{when}{original}")


def work_name(purpose: str, original: str) -> str:
    """`wttui_work_<purpose>_<original>`: a database filled before it is swapped in."""
    name = f"{WORK_PREFIX}{purpose}_{original}"
    return fit_identifier(name, source=name + short_hash(original))


def throwaway_names(name: str) -> tuple[str, str]:
    """The names `wttui test` may give its throwaway copy of the database (or schema) `name`:
    `name_test` (the seeds' `createdb myapp_auth_test`), and the spare `name___test` for when a
    worktree's own database has the first (`feat-test`'s is `myapp_feat_test`, the `_test` of
    `feat`'s): no worktree's name can be the spare, a slug holds `___` only right before the
    8-hex hash that ends it. Neither is wttui's own: a copy a killed run left is an orphan."""
    return fit_identifier(f"{name}_test"), fit_identifier(f"{name}{MARK}test")


def throwaway_keys(target: DbTarget) -> tuple[TargetKey, ...]:
    """Where `wttui test` may have put its copy of `target`'s database (both names); none for a
    container (the copy is inside it, and goes with it), a shared database (it gets no copy)
    and a worktree with no database."""
    if target.container or target.shared or target.none:
        return ()
    return tuple(
        TargetKey("", target.name, name) if target.schema else TargetKey("", name, None)
        for name in throwaway_names(target.schema or target.name)
    )
