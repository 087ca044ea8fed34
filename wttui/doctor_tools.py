"""Doctor's checks of the migrations: each worktree's tool and its CLI (with its version), and
what the status read found besides the states — a known tool's state table nobody reads, a
tracking row deleted by hand, several tools — once per database however many worktrees use it.
Read-only, like the rest of `wttui.doctor`, which calls these."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from wttui.core.housekeeping import Check, CheckStatus
from wttui.core.models import RepoSnapshot, WorktreeView

if TYPE_CHECKING:
    from wttui.services import Services

OK, INFO, WARN, FAIL = CheckStatus.OK, CheckStatus.INFO, CheckStatus.WARN, CheckStatus.FAIL

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


def tools(services: Services, views: list[WorktreeView]) -> list[Check]:
    from wttui.migrations.commands import CommandExecutor

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
    return checks


def linter(services: Services) -> Check:
    """The migration linter (squawk, the `lint` extra): its version, or that it is not
    installed and how to get it — never a failure: wttui migrates without it."""
    from wttui.migrations.lint import INSTALL, LintSettings, squawk_binary

    if not LintSettings.of(services.config.migrations).enabled:
        return Check("migration linter", INFO, 'off ([migrations] lint = "off")')
    binary = squawk_binary()
    if binary is None:
        return Check(
            "migration linter",
            INFO,
            f"squawk is not installed, migrations are not linted: {INSTALL}",
            INSTALL,
        )
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=20)
        version = (done.stdout or done.stderr).strip().splitlines()[:1]
    except (OSError, subprocess.TimeoutExpired):
        version = []
    return Check("migration linter", OK, version[0][:60] if version else f"squawk: {binary}")


_WARNING_NAMES = {
    "untracked_state_table": "state table",
    "row_gone": "tracking row",
    "other_tools": "migration tool",
}


def migration_warning_checks(snapshot: RepoSnapshot, views: list[WorktreeView]) -> list[Check]:
    """What the status read found besides the states (a known tool's state table nobody reads,
    a tracking row deleted by hand, several tools), once per database however many worktrees
    use it (`snapshot.migration_warnings`)."""
    from wttui.snapshot_reports import migration_warnings

    return [
        Check(
            _WARNING_NAMES.get(warning.kind, "migrations"),
            WARN,
            warning.message,
            warning.hint,
            worktree=view.worktree.label,
        )
        for view, warning in migration_warnings(replace(snapshot, views=tuple(views)))
    ]
