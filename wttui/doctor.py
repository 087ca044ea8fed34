"""Doctor (F51): every check with its verdict (ok / warn / fail) and its fix, read-only.

The server first (the embedded one is never started here: a stopped server is the finding),
then each worktree (database, container, `.env` against its plan and its mode), the migration
tool and its CLI, a known tool's state table where detection found nothing, `pg_dump` against
the server's version, stale git metadata, and who holds wttui's locks.
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
from wttui.core.models import DbStatus, WorktreeView
from wttui.core.urls import mask_url, server_label, url_parts
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
        for view in views:
            checks += _worktree(services, view)
        checks += _tools(services, views)
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


def _worktree(services: Services, view: WorktreeView) -> list[Check]:
    worktree = view.worktree
    label = worktree.label
    target = view.target
    if worktree.prunable or target is None:
        return []
    if target.none:  # on purpose: nothing to provision, no .env key to hold
        return [Check("database", OK, "no database (strategy none)", worktree=label)]
    checks = []
    env = view.env
    sync = f"wttui sync {label}"
    named = bool(env and env.database_url)
    if view.db_status is DbStatus.MISSING:
        status = FAIL if named else WARN
        detail = f"{target.label} does not exist" + (
            f" (its {env.path.name if env else '.env'} points at it)"
            if named
            else ": not provisioned yet"
        )
        checks.append(_fixable("database", status, detail, sync, label, worktree.path))
    elif view.db_status is DbStatus.STOPPED:
        checks.append(
            _fixable(
                "container",
                FAIL,
                f"container {target.container} is stopped",
                sync,
                label,
                worktree.path,
            )
        )
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
    if env is not None and (env.exists or view.db_status is not DbStatus.MISSING):
        if env.matches:
            checks.append(Check("env", OK, f"{env.path.name} matches the plan", worktree=label))
        elif env.database_url:
            detail = (
                f"{env.path.name} is stale: {mask_url(env.database_url)} instead of "
                f"{target.masked_url}"
            )
            checks.append(_fixable("env", FAIL, detail, sync, label, worktree.path))
        else:
            detail = f"{env.path.name} lacks {services.config.env.url_key}"
            checks.append(_fixable("env", WARN, detail, sync, label, worktree.path))
        checks += _env_mode(env.path, label)
    for error in view.errors:
        checks.append(Check("migrations", WARN, error, "see `wttui status`", worktree=label))
    return checks


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


# -- tools -------------------------------------------------------------------------------------

_RUNNERS = {"npx", "pnpm", "yarn", "bunx", "bun", "npm", "uvx", "poetry", "pipx"}


def _program(argv: tuple[str, ...]) -> str | None:
    words = [w for w in argv if not w.startswith("-")]
    if words[:2] == ["sh", "-c"] or words[:1] == ["sh"]:
        inner = argv[-1].split()
        words = [w for w in inner if w != "exec" and not w.startswith(("-", "$"))]
    while words and words[0] in _RUNNERS | {"exec", "run", "dlx"}:
        words = words[1:]
    return words[0] if words else None


def _tool_cli(tool: str, argv: tuple[str, ...], worktree: Path) -> tuple[CheckStatus, str]:
    program = _program(argv)
    if program is None:
        return WARN, f"{tool}: no apply command to run"
    found = shutil.which(program) or shutil.which(
        program, path=str(worktree / "node_modules" / ".bin")
    )
    if found is None:
        return FAIL, f"{tool}: `{program}` is not installed (not on PATH or in node_modules)"
    try:
        done = subprocess.run(
            [found, "--version"], cwd=worktree, capture_output=True, text=True, timeout=20
        )
        version = (done.stdout or done.stderr).strip().splitlines()[:1]
    except (OSError, subprocess.TimeoutExpired):
        version = []
    return OK, f"{tool}: {found}" + (f" ({version[0][:60]})" if version else "")


def _tools(services: Services, views: list[WorktreeView]) -> list[Check]:
    from wttui.migrations.commands import CommandExecutor
    from wttui.migrations.foreign import foreign_note, foreign_state_tables

    checks = []
    seen: set[str] = set()
    for view in views:
        if view.worktree.prunable or view.target is None or view.target.none:
            continue  # a worktree with no database never runs its migrations
        runner = services.migration_tool(view.worktree.path)
        label = view.worktree.label
        if runner.name not in seen:
            seen.add(runner.name)
            if isinstance(runner.executor, CommandExecutor):
                status, detail = _tool_cli(
                    runner.name, runner.executor.apply_command, view.worktree.path
                )
                fix = (
                    f"install {runner.name}'s CLI, or set [migrations] apply"
                    if status is not OK
                    else ""
                )
                checks.append(Check("migration tool", status, detail, fix, worktree=label))
            else:
                checks.append(
                    Check(
                        "migration tool",
                        OK,
                        f"{runner.name}: wttui's built-in runner",
                        worktree=label,
                    )
                )
        if view.db_status is DbStatus.PRESENT and runner.name == "sql" and not view.migrations:
            found = foreign_state_tables(view.target.connect_url, tool=runner.name)
            if found:
                checks.append(
                    Check(
                        "state table",
                        WARN,
                        foreign_note(found),
                        "name the tool and its folder in [migrations]",
                        worktree=label,
                    )
                )
    return checks


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
