"""`migrate`, `rollback` and `drift`."""

from __future__ import annotations

import argparse
import json
from datetime import date

from wttui.cli.common import (
    add_plan_options,
    confirm_or_stop,
    ref,
    run_changing,
    services,
)
from wttui.cli.registry import Add
from wttui.errors import InvalidInput


def cmd_migrate(args: argparse.Namespace) -> int:
    from wttui import actions
    from wttui.plans_migrate import plan_migrate

    found = services(args)
    where = ref(args)
    plan = plan_migrate(found, where)
    if not confirm_or_stop(args, f"migrate {plan.worktree.label}", plan):
        return 0
    applied = run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: actions.migrate(found, fresh, sink=sink, cancel=cancel),
        replan=lambda: plan_migrate(found, where),
    )
    if applied and plan.worktree.is_main:
        from wttui.cli.common import background_templates

        background_templates(found)
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from wttui import actions
    from wttui.plans_migrate import plan_rollback

    found = services(args)
    where = ref(args)
    plan = plan_rollback(found, where, steps=args.steps)
    if not confirm_or_stop(args, f"rollback {plan.worktree.label}", plan):
        return 0
    run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: actions.rollback(found, fresh, sink=sink, cancel=cancel),
        replan=lambda: plan_rollback(found, where, steps=args.steps),
        resumable=False,  # `-n N` counts from the newest: run again, it would revert others
    )
    return 0


def _day(text: str | None) -> date | None:
    """`--since`'s date (`YYYY-MM-DD`).

    Raises:
        InvalidInput: not a date.
    """
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"--since {text!r} is not a date", hint="give it as YYYY-MM-DD, e.g. 2025-10-16"
        ) from None


def cmd_drift(args: argparse.Namespace) -> int:
    from wttui.cli.drift import render_json, render_markdown, since
    from wttui.snapshot_reports import read_drift

    day = _day(args.since)
    report = since(read_drift(services(args)), day)
    if args.format == "json":
        print(json.dumps(render_json(report), indent=2))
    else:
        print(render_markdown(report, day=day), end="")
    return 0


def register(add: Add) -> None:
    migrate = add("migrate", cmd_migrate, "apply pending migrations (default: this worktree)")
    migrate.add_argument("branch", nargs="?", help="worktree branch, path or directory")
    add_plan_options(migrate, yes=False)

    rollback = add("rollback", cmd_rollback, "roll back the newest migration(s)")
    rollback.add_argument("branch", nargs="?", help="worktree branch, path or directory")
    rollback.add_argument("-n", "--steps", type=int, default=1, help="how many (default 1)")
    add_plan_options(rollback)

    drift = add(
        "drift", cmd_drift, "report migrations across branches: collisions, order, conflicts"
    )
    drift.add_argument("--format", choices=("md", "json"), default="md")
    drift.add_argument(
        "--since",
        metavar="DATE",
        help="known schema drift dated on or after DATE (YYYY-MM-DD) only",
    )
