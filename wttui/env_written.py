"""Whether a `.env` value is one wttui wrote (stale: sync replaces it without asking) or one
someone set by hand (replaced only with `--force`). Sync's plan and doctor's hint share it, so
the fix doctor names is the sync that works."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from wttui.core.plans import EnvEdit
from wttui.core.urls import url_parts
from wttui.providers.env_record import EnvRecord, digest
from wttui.providers.envfile import read_env
from wttui.providers.server import data_dir

if TYPE_CHECKING:
    from wttui.services import Services, WorktreeContext

_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", ""})


def env_edits(context: WorktreeContext) -> tuple[EnvEdit, ...]:
    """Each managed key: the value its env file holds now, and the one wttui would write."""
    current = read_env(context.env_file)
    return tuple(EnvEdit(key, current.get(key), value) for key, value in context.env_values.items())


def hand_set_keys(
    services: Services, context: WorktreeContext, edits: tuple[EnvEdit, ...]
) -> tuple[str, ...]:
    """The keys among `edits` whose current value someone set by hand (sync refuses to replace
    them without `--force`, and asks first)."""
    return tuple(
        edit.key
        for edit in edits
        if edit.changes and edit.old is not None and not written_by_wttui(services, context, edit)
    )


def written_by_wttui(services: Services, context: WorktreeContext, edit: EnvEdit) -> bool:
    """Whether the value `edit` replaces is one wttui wrote (stale, safe to update).

    Yes when wttui's record of the file holds exactly that value; or, for a file written
    before the record existed, when the file's URL still names this worktree's database on the
    same host as the same user (only the port or password moved) and the value is what wttui
    would have written for that URL.
    """
    if edit.old is None:
        return True
    if EnvRecord(data_dir()).written(context.env_file).get(edit.key) == digest(edit.old):
        return True
    old_url = read_env(context.env_file).get(services.config.env.url_key)
    if not old_url or not _moved(old_url, context.target.url):
        return False
    then = services.env_values(replace(context.target, url=old_url), context.label)
    return then.get(edit.key) == edit.old


def _moved(old: str, new: str) -> bool:
    """The same database, schema and user on the same host; the port or password may differ."""
    before, after = url_parts(old), url_parts(new)
    if not all(before[key] == after[key] for key in ("database", "schema", "user")):
        return False
    hosts = {"loopback" if part["host"] in _LOOPBACK else part["host"] for part in (before, after)}
    return len(hosts) == 1
