"""`create`, `remove`, `reset`, `exec` and the container verbs: plan, show, confirm, execute."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from wttui.cli.common import (
    PrintSink,
    add_plan_options,
    background_templates,
    confirm_or_stop,
    ref,
    run_action,
    run_changing,
    services,
)
from wttui.cli.registry import Add
from wttui.errors import InvalidInput

if TYPE_CHECKING:
    from wttui.core.plans import CreatePlan, RemovePlan, ResetPlan


def cmd_create(args: argparse.Namespace) -> int:
    from wttui import actions
    from wttui.plans_create import plan_create

    found = services(args)

    def planner() -> CreatePlan:
        plan = plan_create(
            found,
            args.branch,
            base=args.base,
            adopt=args.adopt,
            force_env=args.force,
            no_db=args.no_db,
        )
        if args.source:
            from wttui.plans_data import plan_create_from

            plan = plan_create_from(found, plan, args.source)
        return plan

    plan = planner()
    if not confirm_or_stop(args, f"create {args.branch}", plan):
        return 0
    path = run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: actions.create(found, fresh, sink=sink, cancel=cancel),
        replan=planner,
    )
    print(path)
    if not plan.target.none:  # a worktree with no database uses no template
        background_templates(found)
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from wttui import actions
    from wttui.plans_remove import plan_remove

    found = services(args)

    def planner() -> RemovePlan:
        return plan_remove(found, args.branch, keep_db=args.keep_db, force=args.force)

    plan = planner()
    if not confirm_or_stop(args, f"remove {plan.worktree.label}", plan):
        return 0
    run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: actions.remove(found, fresh, sink=sink, cancel=cancel),
        replan=planner,
    )
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    from wttui import actions
    from wttui.plans_remove import plan_reset

    found = services(args)

    def planner() -> ResetPlan:
        return plan_reset(found, args.branch, force=args.force)

    plan = planner()
    if not confirm_or_stop(args, f"reset {plan.worktree.label}", plan):
        return 0
    run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: actions.reset(found, fresh, sink=sink, cancel=cancel),
        replan=planner,
    )
    return 0


def cmd_exec(args: argparse.Namespace) -> int:
    from wttui.actions.exec import run_in_worktree
    from wttui.plans_exec import plan_exec

    found = services(args)
    argv = _command(args)
    plan = plan_exec(found, args.branch, argv, force=args.force)
    if not confirm_or_stop(args, f"exec in {plan.worktree.label}", plan):
        return 0
    return run_action(
        lambda cancel: run_in_worktree(found, plan, sink=PrintSink(), cancel=cancel, capture=False)
    )


def _command(args: argparse.Namespace, flags: dict[str, str] | None = None) -> list[str]:
    """The command after `--`; wttui's own options may also stand between BRANCH and `--`
    (`wttui exec feat/x --dry-run -- psql`)."""
    words = list(args.command)
    if "--" not in words or not words[0].startswith("-"):
        return words[1:] if words[:1] == ["--"] else words
    split = words.index("--")
    known = {"--dry-run": "dry_run", "--force": "force", "--yes": "yes", **(flags or {})}
    for word in words[:split]:
        flag = known.get(word)
        if flag is None:
            raise InvalidInput(
                f"Unknown option {word} before --", hint="wttui exec BRANCH [--dry-run] -- COMMAND"
            )
        setattr(args, flag, True)
    return words[split + 1 :]


def cmd_container(args: argparse.Namespace) -> int:
    from wttui.actions.containers import VERBS
    from wttui.plans_exec import plan_container

    found = services(args)
    where = ref(args)
    plan = plan_container(found, where, args.verb)
    if not confirm_or_stop(args, f"{args.verb} {plan.target.container}", plan):
        return 0
    action = VERBS[args.verb]
    if args.verb == "logs":  # a read: it never waits for the lock
        run_action(lambda cancel: action(found, plan, sink=PrintSink(), cancel=cancel))
        return 0
    run_changing(
        args,
        found,
        plan,
        lambda fresh, sink, cancel: action(found, fresh, sink=sink, cancel=cancel),
        replan=lambda: plan_container(found, where, args.verb),
    )
    return 0


def register(add: Add) -> None:
    create = add("create", cmd_create, "create a worktree with its own database, .env, migrations")
    create.add_argument("branch", help="new or existing branch")
    create.add_argument("--base", help="start a new branch from this ref (default: main HEAD)")
    create.add_argument("--adopt", action="store_true", help="use an existing unowned database")
    create.add_argument(
        "--from",
        dest="source",
        metavar="OTHER",
        help="start the database from a copy of worktree OTHER's data",
    )
    create.add_argument(
        "--no-db",
        action="store_true",
        help="no database for this worktree (strategy none, recorded in git config)",
    )
    add_plan_options(create, yes=False, force="overwrite hand-set .env values")

    remove = add("remove", cmd_remove, "remove a worktree and drop its database")
    remove.add_argument("branch")
    remove.add_argument("--keep-db", action="store_true", help="keep the database")
    add_plan_options(
        remove, force="discard uncommitted changes, end open sessions, remove a locked worktree"
    )

    reset = add("reset", cmd_reset, "drop, re-create and migrate a worktree's own database")
    reset.add_argument("branch")
    add_plan_options(reset, force="terminate open sessions")

    run = add(
        "exec",
        cmd_exec,
        "run a command in a worktree with its DATABASE_URL (guarded on shared databases)",
    )
    run.add_argument("branch", help="worktree branch, path or directory")
    add_plan_options(  # no lock: the command may run for hours (a dev server)
        run,
        force="run a [database] refuse command on a shared database (asks for its name)",
        lock=False,
    )
    run.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS…]")

    for name, text in (
        ("start", "start a worktree's container (container strategy)"),
        ("stop", "stop a worktree's container"),
        ("restart", "restart a worktree's container"),
        ("logs", "print the last lines of a worktree's container log"),
    ):
        verb = add(name, cmd_container, text)
        verb.add_argument("branch", nargs="?", help="worktree branch, path or directory")
        add_plan_options(verb, yes=False, lock=name != "logs")
        verb.set_defaults(verb=name)
