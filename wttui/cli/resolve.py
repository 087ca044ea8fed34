"""`resolve`: mark a migration applied or rolled back without running it (the way out of a
failed or half-applied migration, or of one applied by hand)."""

from __future__ import annotations

import argparse

from wttui.cli.common import add_plan_options, confirm_or_stop, run_changing, services
from wttui.cli.registry import Add


def cmd_resolve(args: argparse.Namespace) -> int:
    from wttui import actions
    from wttui.plans_resolve import plan_resolve

    found = services(args)
    plan = plan_resolve(found, args.branch, args.migration, applied=args.applied)
    if not confirm_or_stop(args, f"resolve {plan.worktree.label}", plan):
        return 0
    run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: actions.resolve(found, fresh, sink=sink, cancel=cancel),
        replan=lambda: plan_resolve(found, args.branch, args.migration, applied=args.applied),
    )
    return 0


def register(add: Add) -> None:
    resolve = add(
        "resolve",
        cmd_resolve,
        "mark a migration applied or rolled back without running it (through its tool)",
    )
    resolve.add_argument("branch", help="worktree branch, path or directory")
    resolve.add_argument("migration", help="its version, VERSION_name or file name")
    mark = resolve.add_mutually_exclusive_group(required=True)
    mark.add_argument(
        "--applied", action="store_true", help="the tool will count it applied, never run it"
    )
    mark.add_argument(
        "--rolled-back",
        dest="applied",
        action="store_false",
        help="the tool will count it not applied (a failed one: run it again)",
    )
    add_plan_options(resolve)
