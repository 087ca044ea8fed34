"""`seed`, `clone`, `test` and `rebuild`: data in and out of a worktree's database.

Exit codes as everywhere (`wttui.errors`); `test` exits with its command's own status (130 when
interrupted), after dropping its database.
"""

from __future__ import annotations

import argparse

from wttui.cli.common import (
    PrintSink,
    add_plan_options,
    confirm_or_stop,
    ref,
    run_action,
    run_changing,
    services,
)
from wttui.cli.registry import Add
from wttui.cli.worktrees import _command


def cmd_seed(args: argparse.Namespace) -> int:
    from wttui.actions.seed import seed
    from wttui.plans_data import plan_seed

    found = services(args)
    plan = plan_seed(found, ref(args))
    if not confirm_or_stop(args, f"seed {plan.target.label}", plan):
        return 0
    run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: seed(found, fresh, sink=sink, cancel=cancel),
        replan=lambda: plan_seed(found, ref(args)),
    )
    return 0


def cmd_clone(args: argparse.Namespace) -> int:
    from wttui.actions.clone import clone
    from wttui.plans_data import plan_clone

    found = services(args)
    plan = plan_clone(found, args.source, args.dest)
    if not confirm_or_stop(args, f"clone {plan.source.label} into {plan.worktree.label}", plan):
        return 0
    run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: clone(found, fresh, sink=sink, cancel=cancel),
        replan=lambda: plan_clone(found, args.source, args.dest),
    )
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from wttui.actions.testdb import run_tests
    from wttui.plans_data import plan_test

    found = services(args)
    argv = _command(args, flags={"--keep": "keep"})
    plan = plan_test(found, args.branch, argv, keep=args.keep)
    if not confirm_or_stop(args, f"test in {plan.worktree.label}", plan):
        return 0
    return run_action(
        lambda cancel: run_tests(found, plan, sink=PrintSink(), cancel=cancel, capture=False)
    )


def cmd_rebuild(args: argparse.Namespace) -> int:
    from wttui.actions.rebuild import rebuild
    from wttui.plans_data import plan_rebuild

    found = services(args)
    plan = plan_rebuild(found, ref(args), args.to)
    if not confirm_or_stop(args, f"rebuild {plan.target.label}", plan):
        return 0
    notice = run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: rebuild(
            found, fresh, sink=sink, cancel=cancel, notice_to_sink=False
        ),
        replan=lambda: plan_rebuild(found, ref(args), args.to),
    )
    print("\n".join(notice))
    return 0


def register(add: Add) -> None:
    seed = add("seed", cmd_seed, "run the [seeds] files and command against a worktree's database")
    seed.add_argument("branch", nargs="?", help="worktree branch, path or directory")
    add_plan_options(seed)

    clone = add("clone", cmd_clone, "replace DST's database with a copy of SRC's")
    clone.add_argument("source", metavar="SRC", help="worktree whose data is copied")
    clone.add_argument("dest", metavar="DST", help="worktree whose database is replaced")
    add_plan_options(clone)

    test = add(
        "test",
        cmd_test,
        "run a command against a throwaway {database}_test (dropped afterwards; its exit code)",
    )
    test.add_argument("branch", help="worktree branch, path or directory")
    test.add_argument("--keep", action="store_true", help="keep the test database afterwards")
    add_plan_options(test, yes=False, lock=False)  # its throwaway database is its own
    test.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS…]")

    rebuild = add(
        "rebuild",
        cmd_rebuild,
        "emergency rebuild: a new database up to a migration, data copied, swapped in",
    )
    rebuild.add_argument("branch", nargs="?", help="worktree branch, path or directory")
    rebuild.add_argument("--to", required=True, metavar="MIGRATION", help="version or name")
    add_plan_options(rebuild)
