"""Entry point: `wttui` opens the app; subcommands run the same actions headless.

Data goes to stdout, narration to stderr. Exit codes: 0 success, 1 an action failed, 2 bad
input or config, 3 server unreachable or cannot start, 4 refused by a safety rule or missing
confirmation, 130 cancelled. Headless subcommands never import Textual, so they start fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from wttui import __version__
from wttui.core.logsink import CancelToken
from wttui.errors import Cancelled, NeedsConfirmation, WttuiError

T = TypeVar("T")


class PrintSink:
    """Narration on stderr: steps as `==> …`, lines indented."""

    def __init__(self, stream: Any = None) -> None:
        self._stream = stream or sys.stderr
        self._lock = threading.Lock()

    def step(self, text: str) -> None:
        with self._lock:
            print(f"==> {text}", file=self._stream, flush=True)

    def line(self, text: str, *, stream: str = "out") -> None:
        prefix = {"err": "  ! ", "warn": "  ⚠ "}.get(stream, "    ")
        with self._lock:
            print(prefix + text, file=self._stream, flush=True)


def _run(action: Callable[[CancelToken], T]) -> T:
    """Run `action` in a thread so Ctrl-C can cancel it cleanly (statements, child processes)."""
    cancel = CancelToken()
    result: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(action(cancel))
        except BaseException as exc:  # re-raised in the main thread
            failure.append(exc)

    thread = threading.Thread(target=target, name="wttui-action", daemon=True)
    thread.start()
    while thread.is_alive():
        try:
            thread.join(0.2)
        except KeyboardInterrupt:
            print("wttui: cancelling…", file=sys.stderr, flush=True)
            cancel.cancel()
    if failure:
        raise failure[0]
    return result[0]


def _confirm(args: argparse.Namespace, question: str, *, expected: str | None = None) -> None:
    """Ask on the terminal; without one, require `--yes`.

    Raises:
        NeedsConfirmation: not confirmed.
    """
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise NeedsConfirmation(f"{question} Refusing without --yes (stdin is not a terminal)")
    if expected is not None:
        answer = input(f"{question}\nType {expected} to confirm: ").strip()
        if answer != expected:
            raise NeedsConfirmation("Not confirmed: the typed name did not match; nothing changed")
        return
    answer = input(f"{question} [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise NeedsConfirmation("Not confirmed; nothing changed")


def _services(args: argparse.Namespace) -> Any:
    from wttui.services import Services

    return Services.from_path(Path(args.repo or ".").resolve())


def cmd_status(args: argparse.Namespace) -> int:
    from wttui.cli.status import render_json, render_table

    snapshot = _services(args).snapshot()
    if args.json:
        print(json.dumps(render_json(snapshot), indent=2))
    else:
        print(render_table(snapshot))
    if snapshot.server_error:
        print(f"wttui: warning: {snapshot.server_error}", file=sys.stderr)
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    from wttui import actions

    services = _services(args)
    view = _run(
        lambda cancel: actions.create(
            services,
            args.branch,
            base=args.base,
            sink=PrintSink(),
            cancel=cancel,
            force_env=args.force,
            adopt=args.adopt,
        )
    )
    print(view.worktree.path)
    return 0


def cmd_container(args: argparse.Namespace) -> int:
    from wttui.actions import containers

    services = _services(args)
    verb = {
        "start": containers.start,
        "stop": containers.stop,
        "restart": containers.restart,
        "logs": containers.logs,
    }
    action = verb[args.verb]
    _run(lambda cancel: action(services, _ref(args), sink=PrintSink(), cancel=cancel))
    return 0


def cmd_drift(args: argparse.Namespace) -> int:
    from wttui.cli.drift import render_json, render_markdown

    report = _services(args).drift()
    if args.format == "json":
        print(json.dumps(render_json(report), indent=2))
    else:
        print(render_markdown(report), end="")
    return 0


def cmd_exec(args: argparse.Namespace) -> int:
    from wttui.actions.exec import run_command

    services = _services(args)
    argv = args.command[1:] if args.command[:1] == ["--"] else args.command
    return _run(
        lambda cancel: run_command(
            services, args.branch, argv, sink=PrintSink(), cancel=cancel, capture=False
        )
    )


def cmd_migrate(args: argparse.Namespace) -> int:
    from wttui import actions

    services = _services(args)
    _run(lambda cancel: actions.migrate(services, _ref(args), sink=PrintSink(), cancel=cancel))
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from wttui import actions

    services = _services(args)
    _run(
        lambda cancel: actions.rollback(
            services, _ref(args), steps=args.steps, sink=PrintSink(), cancel=cancel
        )
    )
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    from wttui import actions

    services = _services(args)
    worktree = services.resolve(args.branch)
    target = services.target(worktree)
    _confirm(
        args,
        f"Reset drops database {target.label} on {target.server} and rebuilds it from "
        f"{worktree.label}'s migrations; its data is lost.",
        expected=target.label,
    )
    _run(
        lambda cancel: actions.reset(
            services, args.branch, force=args.force, sink=PrintSink(), cancel=cancel
        )
    )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from wttui import actions

    services = _services(args)
    plan = services.plan_remove(args.branch, keep_db=args.keep_db)
    what = f"worktree {plan.worktree.label} at {plan.worktree.path}"
    if plan.will_drop and plan.target is not None:
        _confirm(
            args,
            f"Remove {what} and drop database {plan.target.label} on {plan.target.server}?",
            expected=plan.target.label,
        )
    else:
        _confirm(args, f"Remove {what}?")
    _run(
        lambda cancel: actions.remove(
            services,
            args.branch,
            keep_db=args.keep_db,
            force=args.force,
            sink=PrintSink(),
            cancel=cancel,
        )
    )
    return 0


def cmd_server(args: argparse.Namespace) -> int:
    from wttui.cli.server import server_command

    return server_command(args)


def cmd_demo(args: argparse.Namespace) -> int:
    from wttui.cli.demo import run_demo

    return run_demo(args, sink=PrintSink(), open_app=_open_app)


def cmd_app(args: argparse.Namespace) -> int:
    return _open_app(Path(args.repo or ".").resolve())


def _open_app(start: Path) -> int:
    from wttui.services import Services

    services = Services.from_path(start)
    from wttui.ui.app import make_app

    make_app(services).run()
    return 0


def _ref(args: argparse.Namespace) -> str:
    return args.branch or str(Path.cwd())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wttui",
        description="Give every git worktree its own PostgreSQL database. "
        "Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"wttui {__version__}")
    parser.add_argument("-C", "--repo", help="run as if started in this directory")
    parser.set_defaults(func=cmd_app)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], text: str) -> Any:
        command = sub.add_parser(name, help=text, description=text)
        command.set_defaults(func=func)
        return command

    status = add("status", cmd_status, "list worktrees with their databases and migrations")
    status.add_argument("--json", action="store_true", help="print JSON on stdout")

    create = add("create", cmd_create, "create a worktree with its own database, .env, migrations")
    create.add_argument("branch", help="new or existing branch")
    create.add_argument("--base", help="start a new branch from this ref (default: main HEAD)")
    create.add_argument("--adopt", action="store_true", help="use an existing unowned database")
    create.add_argument("--force", action="store_true", help="overwrite hand-set .env values")

    migrate = add("migrate", cmd_migrate, "apply pending migrations (default: this worktree)")
    migrate.add_argument("branch", nargs="?", help="worktree branch, path or directory")

    rollback = add("rollback", cmd_rollback, "roll back the newest migration(s)")
    rollback.add_argument("branch", nargs="?", help="worktree branch, path or directory")
    rollback.add_argument("-n", "--steps", type=int, default=1, help="how many (default 1)")

    reset = add("reset", cmd_reset, "drop, re-create and migrate a worktree's own database")
    reset.add_argument("branch")
    reset.add_argument("--yes", action="store_true", help="do not ask")
    reset.add_argument("--force", action="store_true", help="terminate open sessions")

    remove = add("remove", cmd_remove, "remove a worktree and drop its database")
    remove.add_argument("branch")
    remove.add_argument("--yes", action="store_true", help="do not ask")
    remove.add_argument("--keep-db", action="store_true", help="keep the database")
    remove.add_argument(
        "--force", action="store_true", help="discard uncommitted changes, end open sessions"
    )

    run = add(
        "exec",
        cmd_exec,
        "run a command in a worktree with its DATABASE_URL (guarded on shared databases)",
    )
    run.add_argument("branch", help="worktree branch, path or directory")
    run.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS…]")

    drift = add(
        "drift", cmd_drift, "report migrations across branches: collisions, order, conflicts"
    )
    drift.add_argument("--format", choices=("md", "json"), default="md")

    for name, text in (
        ("start", "start a worktree's container (container strategy)"),
        ("stop", "stop a worktree's container"),
        ("restart", "restart a worktree's container"),
        ("logs", "print the last lines of a worktree's container log"),
    ):
        verb = add(name, cmd_container, text)
        verb.add_argument("branch", nargs="?", help="worktree branch, path or directory")
        verb.set_defaults(verb=name)

    server = add("server", cmd_server, "the embedded PostgreSQL server")
    server.add_argument("action", choices=("status", "start", "stop"), nargs="?", default="status")
    server.add_argument("--json", action="store_true", help="status as JSON")

    demo = add("demo", cmd_demo, "a throwaway repository with three worktrees, opened in the app")
    demo.add_argument("--no-app", action="store_true", help="build it and print its path")
    demo.add_argument(
        "--fresh", "--yes", "-y", dest="fresh", action="store_true", help="rebuild without asking"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except Cancelled as exc:
        print(f"wttui: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except WttuiError as exc:
        print(f"wttui: error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        diff = getattr(exc, "diff", None)
        if diff:
            print(diff, file=sys.stderr, end="" if diff.endswith("\n") else "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
