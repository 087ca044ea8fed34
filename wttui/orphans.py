"""Orphans (F50): what matches the project but no live worktree uses, with size and last use.

Candidates come from every place the project's strategies put things: databases named like the
project's on its server, schemas in its schema database, its containers and labelled volumes on
the Docker engine, and git's stale worktree metadata. A candidate is never an orphan when a live
worktree's plan or its `.env` names it. The rest go through `decide`, the extension point for
names wttui itself keeps (the lifecycle's template cache and trash plug in there). A place that
cannot be read is reported in `unchecked`, and nothing from it is listed, so nothing from it is
ever cleaned. Reads only: nothing is created, started or changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wttui.core.housekeeping import Orphan, OrphanKind, OrphanReport
from wttui.core.lifecycle_names import owned_kind, throwaway_keys
from wttui.core.models import DbTarget, TargetKey
from wttui.core.naming import database_name, is_reserved_schema
from wttui.core.sharing import same_database
from wttui.core.urls import mask_url, with_database
from wttui.errors import WttuiError
from wttui.providers.conninfo import location
from wttui.providers.envfile import read_env

if TYPE_CHECKING:
    from wttui.services import Services

_SENTINEL = "wttuiprobe"

Keeper = Callable[["Services", Orphan], "Orphan | None"]
"""Looks at a candidate before it is called an orphan. Returns None to keep it (wttui's own: a
current template, trash inside its retention window), the candidate re-kinded
(`OrphanKind.TEMPLATE`, `OrphanKind.TRASH`) with a note when it is a stale one of that kind, or
the candidate unchanged when the name is not its kind."""

KEEPERS: list[Keeper] = []
"""Every keeper, asked in order (the lifecycle's template cache and trash register theirs with
`keep`): without one, a template or trash database named like the project's would be listed as
a plain database orphan."""


def keep(keeper: Keeper) -> Keeper:
    """Register `keeper` (usable as a decorator)."""
    KEEPERS.append(keeper)
    return keeper


@keep
def _wttuis_own(services: Services, candidate: Orphan) -> Orphan | None:
    """Templates, trash, snapshots and work databases are wttui's own, never orphans: their own
    commands prune them (`wttui templates prune`, `wttui trash purge`)."""
    del services
    name = candidate.name.rsplit(".", 1)[-1]  # a schema is listed as `db.schema`
    if owned_kind(name) is not None or owned_kind(candidate.name) is not None:
        return None
    return candidate


def decide(services: Services, candidate: Orphan) -> Orphan | None:
    """The one decision: None (wttui's own, keep) or the orphan as it will be listed."""
    for keeper in KEEPERS:
        found = keeper(services, candidate)
        if found is None:
            return None
        candidate = found
    return candidate


@dataclass(frozen=True)
class Live:
    """What the live worktrees use: their plans' targets and the URLs in their `.env` files."""

    keys: frozenset[TargetKey]
    urls: tuple[str, ...]
    labels: frozenset[str]
    targets: tuple[DbTarget, ...]
    unplanned: tuple[tuple[str, str], ...] = ()
    """(strategy, why) for worktrees whose target could not be planned: nothing of that
    strategy can be told apart from an orphan, so none of it is listed."""

    def uses(self, key: TargetKey, url: str | None = None) -> bool:
        if key in self.keys or (
            key.container and any(k.container == key.container for k in self.keys)
        ):
            return True
        return url is not None and any(same_database(env, url, location) for env in self.urls)


def live(services: Services) -> Live:
    """Targets and `.env` URLs of every worktree whose directory exists."""
    keys, urls, labels, targets, unplanned = set(), [], set(), [], []
    for entry in services.git.entries():
        if entry.prunable or not entry.path.exists():
            continue
        labels.add(entry.label)
        strategy = services.config.strategy_for(entry.branch)
        try:
            target = services.strategy(strategy).plan(entry.label)
        except WttuiError as exc:
            unplanned.append((strategy, exc.message))
            continue
        keys.add(target.key)
        targets.append(replace(target, worktree=entry.label))
        try:
            url = read_env(services.env_path(entry.path)).get(services.config.env.url_key)
        except WttuiError:
            url = None
        if url:
            urls.append(url)
    return Live(frozenset(keys), tuple(urls), frozenset(labels), tuple(targets), tuple(unplanned))


def _prefix(template: str, project: str) -> str | None:
    """What every per-worktree name of `template` starts with (None: it cannot be told)."""
    rendered = database_name(template, project=project, label=_SENTINEL)
    head, found, _ = rendered.partition(_SENTINEL)
    return head if found and head else None


def _strategies(services: Services) -> set[str]:
    config = services.config
    return {
        config.database.strategy,
        *(w.strategy for w in config.worktrees.values() if w.strategy),
    }


def read_orphans(services: Services) -> OrphanReport:
    """Every orphan of the project. Blocking: call it from a worker."""
    in_use = live(services)
    found: list[Orphan] = []
    unchecked: list[str] = []
    live_bytes: int | None = 0
    strategies = _strategies(services)
    blind = dict(in_use.unplanned)
    server_blind = next((blind[s] for s in ("database", "shared", "schema") if s in blind), None)
    if server_blind is not None:
        unchecked.append(f"databases and schemas on {services.server.label}: {server_blind}")
        live_bytes = None
    elif strategies & {"database", "shared", "schema"}:
        try:
            orphans, used = _on_server(services, in_use, strategies)
            found += orphans
            live_bytes = (live_bytes or 0) + used
        except WttuiError as exc:
            unchecked.append(f"databases and schemas on {services.server.label}: {exc.message}")
            live_bytes = None
    try:
        if "container" in blind:
            raise WttuiError(blind["container"])
        orphans, used = _on_docker(services, in_use)
        found += orphans
        if live_bytes is not None:
            live_bytes += used
    except WttuiError as exc:
        if "container" in strategies:
            unchecked.append(f"containers and volumes: {exc.message}")
            live_bytes = None
    found += _git_metadata(services)
    decided = [orphan for orphan in (decide(services, o) for o in found) if orphan is not None]
    return OrphanReport(tuple(decided), tuple(unchecked), live_bytes)


# -- the server --------------------------------------------------------------------------------


def _on_server(services: Services, in_use: Live, strategies: set[str]) -> tuple[list[Orphan], int]:
    from wttui.providers.pg_schemas import SchemaProvider
    from wttui.providers.pg_usage import databases_modified, schemas_modified

    provider = services.server.provider()
    admin = provider.admin_url
    where = services.server.label
    config = services.config.database
    project = services.project
    databases = provider.list_databases()
    sizes = {info.name: info for info in databases}
    one_db = {
        database_name(config.name_for(name), project=project, label="")
        for name in ("schema", "shared")
    }
    keep_names = {"postgres", config.template, *one_db}
    prefix = _prefix(config.name_for("database"), project)
    candidates = []
    for info in databases:
        key = TargetKey("", info.name, None)
        if prefix is None or not info.name.startswith(prefix) or info.name in keep_names:
            continue
        if in_use.uses(key, with_database(admin, info.name)):
            continue
        candidates.append(info)
    modified = databases_modified(provider, [info.name for info in candidates])
    tests = _throwaways(in_use)
    orphans = [
        Orphan(
            OrphanKind.DATABASE,
            info.name,
            where,
            label=tests.get((info.name, None)),
            size_bytes=info.size_bytes,
            last_used=datetime.now(UTC) if info.connections else modified.get(info.name),
            used_how="in use now," if info.connections else "last modified",
            sessions=info.connections,
            target=_target("database", info.name, admin, where),
            note=_left_by_test(tests.get((info.name, None))),
        )
        for info in candidates
    ]
    used = sum(
        sizes[t.name].size_bytes or 0
        for t in _distinct(in_use.targets)
        if not t.schema and not t.container and t.name in sizes
    )
    if "schema" in strategies:
        schema_db = database_name(config.name_for("schema"), project=project, label="")
        if schema_db in sizes:
            schemas = SchemaProvider(provider, schema_db).sizes()
            head = _prefix(config.schema, project)
            loose = [
                name
                for name in schemas
                if not is_reserved_schema(name)  # PostgreSQL's, and wttui's side table
                and (head is None or name.startswith(head))
                and not in_use.uses(TargetKey("", schema_db, name))
            ]
            touched = schemas_modified(provider, schema_db, loose)
            orphans += [
                Orphan(
                    OrphanKind.SCHEMA,
                    f"{schema_db}.{name}",
                    where,
                    label=tests.get((schema_db, name)),
                    size_bytes=schemas[name],
                    last_used=touched.get(name),
                    used_how="last modified",
                    target=_target("schema", schema_db, admin, where, schema=name),
                    note=_left_by_test(tests.get((schema_db, name))),
                )
                for name in loose
            ]
            used += sum(
                schemas.get(t.schema or "", 0) for t in _distinct(in_use.targets) if t.schema
            )
    return orphans, used


def _throwaways(in_use: Live) -> dict[tuple[str, str | None], str]:
    """(database, schema) of every copy `wttui test` may make of a live worktree's database
    (`lifecycle_names.throwaway_keys`) → that worktree: a killed run leaves its copy behind,
    an orphan like any other, said for what it is."""
    return {
        (key.database, key.schema): target.worktree
        for target in in_use.targets
        for key in throwaway_keys(target)
    }


def _left_by_test(label: str | None) -> str:
    return f"left by `wttui test {label}`: a killed run, or --keep" if label else ""


def _target(
    strategy: str, name: str, admin: str, where: str, schema: str | None = None
) -> DbTarget:
    """What the strategy's `drop` needs to remove an orphan (no worktree: no label)."""
    url = with_database(admin, name)
    return DbTarget(strategy, name, url, mask_url(url), where, schema=schema)


def _distinct(targets: Iterable[DbTarget]) -> list[DbTarget]:
    return list({target.key: target for target in targets if not target.shared}.values())


# -- Docker ------------------------------------------------------------------------------------


def _stamp(text: str) -> datetime | None:
    """A Docker timestamp (`2025-11-26T12:00:01.123456789Z`), None when empty or unreadable."""
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _on_docker(services: Services, in_use: Live) -> tuple[list[Orphan], int]:
    from wttui.providers.docker_engine import DockerProvider

    docker = DockerProvider()
    containers = docker.containers(services.project)
    volumes = docker.volumes(services.project)
    if not containers and not volumes:
        return [], 0
    sizes = docker.volume_sizes()
    mounted = {info.volume for info in containers if info.volume}
    orphans = []
    used = 0
    for info in containers:
        database = info.environment.get("POSTGRES_DB") or info.environment.get(
            "POSTGRES_USER", "postgres"
        )
        key = TargetKey(info.name, database, None)
        volume_bytes = sizes.get(info.volume) if info.volume else None
        if in_use.uses(key):
            used += volume_bytes or 0
            continue
        stopped = None if info.running else _stamp(docker.stopped_at(info.name))
        orphans.append(
            Orphan(
                OrphanKind.CONTAINER,
                info.name,
                "Docker",
                label=info.worktree,
                size_bytes=volume_bytes,
                last_used=datetime.now(UTC) if info.running else stopped,
                used_how="running now," if info.running else "stopped",
                target=DbTarget(
                    "container",
                    database,
                    "",
                    "",
                    "Docker",
                    container=info.name,
                    worktree=info.worktree or "",
                ),
                note="made by docker compose"
                if info.compose_project
                else (f"volume {info.volume}" if info.volume else ""),
            )
        )
    for name, label, created in volumes:
        if name in mounted:
            continue
        orphans.append(
            Orphan(
                OrphanKind.VOLUME,
                name,
                "Docker",
                label=label,
                size_bytes=sizes.get(name),
                last_used=_stamp(created),
                used_how="created",
            )
        )
    return orphans, used


# -- git ---------------------------------------------------------------------------------------


def _git_metadata(services: Services) -> list[Orphan]:
    """Worktrees whose directory is gone: `git worktree prune` forgets them."""
    orphans = []
    for entry in services.git.entries():
        if not (entry.prunable or not entry.path.exists()) or entry.locked:
            continue
        admin = _admin_dir(services, entry.path)
        modified = None
        if admin is not None:
            modified = datetime.fromtimestamp(admin.stat().st_mtime, UTC)
        orphans.append(
            Orphan(
                OrphanKind.WORKTREE,
                str(entry.path),
                "git",
                label=entry.label,
                last_used=modified,
                used_how="last modified",
                note=entry.prune_reason or "its directory is gone",
            )
        )
    return orphans


def _admin_dir(services: Services, path: Path) -> Path | None:
    meta = services.git.worktrees_meta_dir
    if not meta.is_dir():
        return None
    for admin in meta.iterdir():
        try:
            gitdir = Path((admin / "gitdir").read_text().strip())
        except OSError:
            continue
        if gitdir.parent == path:
            return admin
    return None
