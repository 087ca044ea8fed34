"""Doctor (F51): every check with its verdict (ok / warn / fail) and its fix, read-only.

The server first (the embedded one is never started here: a stopped server is the finding),
then each worktree (database, container, `.env` against its plan and its mode), the migration
tool and its CLI and what the status read warned of (`doctor_tools`), `pg_dump` against the
server's version, stale git metadata, and who holds wttui's locks. A problem is said once: a
database several worktrees use is checked under the first of them, naming them all.
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from wttui.core.housekeeping import Check, CheckStatus, DoctorReport, Fix
from wttui.core.models import DbStatus, DbTarget, TargetKey, WorktreeView
from wttui.core.urls import mask_url, server_label, url_parts
from wttui.doctor_tools import linter, migration_warning_checks, tools
from wttui.env_written import env_edits, hand_set_keys
from wttui.errors import WttuiError
from wttui.providers import port_owner

if TYPE_CHECKING:
    from wttui.services import Services

OK, WARN, FAIL = CheckStatus.OK, CheckStatus.WARN, CheckStatus.FAIL

LockProbe = Callable[["Services"], "tuple[Path, str] | None"]
"""Names a lock file and what it guards; `_lock_checks` reports who holds it."""


def _cluster_lock(services: Services) -> tuple[Path, str] | None:
    cluster = services.server.cluster
    return (cluster.data_dir / "cluster.lock", "the embedded server's lock") if cluster else None


LOCKS: list[LockProbe] = [_cluster_lock]
"""Locks doctor names the holder of (a per-repository lock adds its probe here)."""


def diagnose(services: Services, branch: str | None = None) -> DoctorReport:
    """Every check (only `branch`'s worktree checks when given). Blocking: call it from a
    worker."""
    from wttui.snapshot import read_snapshot

    only = services.resolve(branch).path if branch else None
    checks, server_up, version = _server(services)
    if server_up:
        snapshot = read_snapshot(services)
        views = [v for v in snapshot.views if only is None or v.worktree.path == only]
        users = _users(views)
        reported: set[tuple[object, str]] = set()
        for view in views:
            checks += _worktree(services, view, users, reported)
        checks += tools(services, views)
        checks += migration_warning_checks(snapshot, views)
    else:
        checks.append(
            Check(
                "worktrees",
                WARN,
                "not checked while the server is down",
                "start the server, then run `wttui doctor` again",
            )
        )
    checks.append(_pg_dump(version))
    checks.append(linter(services))
    checks += _prunable(services)
    checks += _lock_checks(services)
    return DoctorReport(tuple(checks))


# -- the server --------------------------------------------------------------------------------


def _uses_server(services: Services) -> bool:
    config = services.config
    used = {config.database.strategy, *(w.strategy for w in config.worktrees.values())}
    return bool(used & {"database", "shared", "schema"})


def _server(services: Services) -> tuple[list[Check], bool, str | None]:
    """The server check, whether per-worktree checks can run, and the server's version."""
    if not _uses_server(services):
        return [Check("server", OK, "not used: every worktree has its own container")], True, None
    from wttui.providers.postgres import PostgresProvider

    cluster = services.server.cluster
    if cluster is not None:
        status = cluster.status()
        if not status.running:
            taken = port_owner.listener(status.port) if status.port else None
            detail = "the embedded server is " + (
                "not initialised yet" if not status.initialised else "stopped"
            )
            detail += ": the worktrees' apps cannot connect"
            if taken is not None:
                detail += (
                    f"; its port {status.port} is taken ({port_owner.describe(taken)}), so it "
                    "will start on another port: run `wttui sync --all` afterwards"
                )
            check = Check("server", FAIL, detail, "wttui server start", safe_fix=Fix.START_SERVER)
            return [check], False, None
        url = cluster.admin_url(status.port)
    else:
        url = services.config.database.url
    where = server_label(url)
    try:
        version = PostgresProvider(url).ping()
    except WttuiError as exc:
        parts = url_parts(url)
        port = int(parts["port"] or 5432)
        local = parts["host"] in ("", "localhost", "127.0.0.1", "::1")
        owner = port_owner.describe(port_owner.listener(port)) if local else "a remote host"
        detail = f"{exc.message} (host {parts['host'] or 'localhost'}, port {port}: {owner})"
        fix = (
            f"start PostgreSQL on {where}, or point [database] url at a running server"
            if cluster is None
            else "`wttui server stop` then `wttui server start`; see its log"
        )
        return [Check("server", FAIL, detail, fix)], False, None
    kind = "embedded" if cluster is not None else "configured"
    return [Check("server", OK, f"{kind} PostgreSQL {version} at {where}")], True, version


# -- each worktree -----------------------------------------------------------------------------


def _users(views: list[WorktreeView]) -> dict[TargetKey, list[WorktreeView]]:
    """The worktrees using each database (several: a shared one), in the report's order."""
    users: dict[TargetKey, list[WorktreeView]] = {}
    for view in views:
        if not view.worktree.prunable and view.target is not None and not view.target.none:
            users.setdefault(view.target.key, []).append(view)
    return users


def _worktree(
    services: Services,
    view: WorktreeView,
    users: dict[TargetKey, list[WorktreeView]],
    reported: set[tuple[object, str]],
) -> list[Check]:
    """The worktree's checks. A problem of a database several worktrees use (missing, stopped,
    its migrations unreadable) is reported once, under the first of them, naming them all;
    `reported` holds what was said already."""
    worktree = view.worktree
    label = worktree.label
    target = view.target
    if worktree.prunable or target is None:
        return []
    if target.none:  # on purpose: nothing to provision, no .env key to hold
        return [Check("database", OK, "no database (strategy none)", worktree=label)]
    checks = []
    env = view.env
    sync = _sync_command(services, view)
    sharers = users.get(target.key, [view])
    first = sharers[0].worktree.path == worktree.path
    shared = ", ".join(v.worktree.label for v in sharers) if len(sharers) > 1 else ""
    if view.db_status is DbStatus.MISSING and first:
        checks.append(
            _fixable("database", *_missing(target.label, sharers), sync, label, worktree.path)
        )
    elif view.db_status is DbStatus.STOPPED and first:
        checks.append(
            _fixable(
                "container",
                FAIL,
                f"container {target.container} is stopped"
                + (f" (used by {shared})" if shared else ""),
                sync,
                label,
                worktree.path,
            )
        )
    elif view.db_status is DbStatus.PRESENT and (role := _misowned(services, view)):
        if first:
            assert view.database is not None
            detail = (
                f"{target.label} belongs to {view.database.owner}, not to {role}, the role its "
                "worktree connects as: a migrate there fails with “permission denied”"
            )
            checks.append(_fixable("database", FAIL, detail, sync, label, worktree.path))
    elif view.db_status is DbStatus.PRESENT:
        where = (
            target.container
            and f"container {target.container}, 127.0.0.1:{url_parts(target.url)['port']}"
        )
        checks.append(
            Check(
                "database",
                OK,
                f"{target.label} exists" + (f" ({where})" if where else ""),
                worktree=label,
            )
        )
    if view.db_status is DbStatus.PRESENT and first and _superuser_login(services, view):
        checks.append(_superuser_check(target, worktree.label, label))
    missing = view.db_status is DbStatus.MISSING
    # A database not provisioned yet and a .env without its key are one problem (sync does
    # both): the database line says it; a .env naming another database is a second one.
    if env is not None and (env.database_url or not missing):
        if env.matches:
            checks.append(Check("env", OK, f"{env.path.name} matches the plan", worktree=label))
        elif env.database_url:
            detail = (
                f"{env.path.name} is stale: {mask_url(env.database_url)} instead of "
                f"{target.masked_url}"
            )
            if sync.endswith("--force --yes"):
                detail += " (set by hand: sync replaces it only with --force)"
            checks.append(_fixable("env", FAIL, detail, sync, label, worktree.path))
        else:
            detail = f"{env.path.name} lacks {services.config.env.url_key}"
            checks.append(_fixable("env", WARN, detail, sync, label, worktree.path))
        checks += _env_mode(env.path, label)
    for error in view.errors:
        if (target.key, error) not in reported:
            reported.add((target.key, error))
            checks.append(Check("migrations", WARN, error, "see `wttui status`", worktree=label))
    return checks


def _misowned(services: Services, view: WorktreeView) -> str | None:
    """The role the worktree's database should belong to, when it belongs to another (a copy
    made before wttui handed copies over: every migrate there fails); `sync` hands it over."""
    from wttui.lifecycle.ownership import misowned

    if view.target is None or view.database is None:
        return None
    return misowned(services.server, view.target, view.database.owner)


def _superuser_login(services: Services, view: WorktreeView) -> bool:
    """The worktree's container hands it its superuser (`strategies.container_role`)."""
    from wttui.lifecycle.ownership import worktree_role

    target = view.target
    return bool(target and target.container and not worktree_role(services.server, target))


def _superuser_check(target: DbTarget, branch: str, label: str) -> Check:
    """The warning for a container that hands its worktree its superuser, and the way out."""
    if target.compose_project:
        why = "docker compose made it with POSTGRES_USER, a superuser"
        fix = "give the app a login role of its own in the compose project, and its URL in .env"
    else:
        why = "it was made before wttui gave containers a login role"
        fix = (
            f"`wttui snapshot {branch}`, `docker rm -f {target.container}`, `wttui sync "
            f"{branch}` (a new container with the role), then `wttui restore {branch}`"
        )
    detail = f"the worktree connects to container {target.container} as its superuser ({why})"
    return Check("database", WARN, detail, fix, worktree=label)


def _sync_command(services: Services, view: WorktreeView) -> str:
    """The sync that fixes the worktree: `wttui sync BRANCH`, or `… --force --yes` when its
    `.env` holds a hand-set value (a plain sync refuses it, exit 4, and a forced one asks
    first: without a terminal it needs `--yes`)."""
    plain = f"wttui sync {view.worktree.label}"
    env = view.env
    if env is None or env.matches or env.error is not None or not env.exists:
        return plain
    try:
        context = services.context(view.worktree)
        hand_set = hand_set_keys(services, context, env_edits(context))
    except WttuiError:  # what sync would do cannot be worked out: the plain command says why
        return plain
    return f"{plain} --force --yes" if hand_set else plain


def _missing(name: str, users: list[WorktreeView]) -> tuple[CheckStatus, str]:
    """A missing database's verdict: a failure when a `.env` points at it (an app is broken),
    else a warning (not provisioned yet); the users named when several share it."""
    named = [v.env for v in users if v.env and v.env.database_url and v.env.matches]
    every = ", ".join(v.worktree.label for v in users)
    if not named:
        used = f" (used by {every})" if len(users) > 1 else ""
        return WARN, f"{name} does not exist: not provisioned yet{used}"
    if len(users) == 1:
        return FAIL, f"{name} does not exist (its {named[0].path.name} points at it)"
    pointing = ", ".join(v.worktree.label for v in users if v.env in named)
    return FAIL, f"{name} does not exist (used by {every}; the .env of {pointing} points at it)"


def _fixable(
    name: str, status: CheckStatus, detail: str, fix: str, label: str, path: Path
) -> Check:
    return Check(name, status, detail, fix, worktree=label, safe_fix=Fix.SYNC, path=path)


def _env_mode(path: Path, label: str) -> list[Check]:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        text = path.read_text(errors="replace")
    except OSError:
        return []
    if not mode & 0o077 or not re.search(r"://[^:/@\s]*:[^@\s]+@|password\s*=", text, re.I):
        return []
    return [
        Check(
            "env permissions",
            WARN,
            f"{path} holds a password and is readable by other users ({mode:o})",
            f"chmod 600 {path}",
            worktree=label,
            safe_fix=Fix.PRIVATE_ENV,
            path=path,
        )
    ]


# -- pg_dump, git, locks -----------------------------------------------------------------------


def _major(version: str) -> int | None:
    match = re.search(r"(\d+)(?:\.\d+)?", version)
    return int(match.group(1)) if match else None


def _pg_dump(server_version: str | None) -> Check:
    found = shutil.which("pg_dump")
    if found is None:
        from wttui.providers.pg_binaries import find_bin_dir

        try:
            candidate = find_bin_dir().path / "pg_dump"
            found = str(candidate) if candidate.exists() else None
        except WttuiError:
            found = None
    if found is None:
        return Check(
            "pg_dump",
            WARN,
            "pg_dump not found (snapshots need it)",
            "install the PostgreSQL client",
        )
    try:
        done = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=10)
        dump_version = done.stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return Check("pg_dump", WARN, f"{found} does not run", "reinstall the PostgreSQL client")
    dump, server = _major(dump_version.rsplit(" ", 1)[-1]), _major(server_version or "")
    if dump is not None and server is not None and dump < server:
        return Check(
            "pg_dump",
            FAIL,
            f"{dump_version} cannot dump a PostgreSQL {server} server",
            f"install the PostgreSQL {server} client (or newer)",
        )
    against = f" (server {server_version})" if server_version else ""
    return Check("pg_dump", OK, f"{dump_version}{against}")


def _prunable(services: Services) -> list[Check]:
    return [
        Check(
            "git metadata",
            WARN,
            f"worktree {entry.label} at {entry.path} is gone but git still lists it",
            "git worktree prune (or `wttui orphans --clean`)",
            worktree=entry.label,
            safe_fix=Fix.PRUNE,
        )
        for entry in services.git.entries()
        if (entry.prunable or not entry.path.exists()) and not entry.locked
    ]


def _lock_checks(services: Services) -> list[Check]:
    from wttui.providers.locks import holder

    checks = []
    for probe in LOCKS:
        found = probe(services)
        if found is None:
            continue
        path, what = found
        held = holder(path)
        if held is None:
            checks.append(Check("lock", OK, f"{what} is free"))
        else:
            checks.append(
                Check("lock", WARN, f"{what} is held by {held}", "wait for it, or end that process")
            )
    return checks
