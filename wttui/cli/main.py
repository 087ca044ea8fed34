"""Entry point: `wttui` opens the app; subcommands run the same plans and actions headless.

Data goes to stdout, narration to stderr. Exit codes are the table in `wttui.errors`: 0 success,
1 an action failed, 2 bad input or config, 3 server unreachable, 4 refused by a rule or not
confirmed, 130 interrupted. Headless subcommands never import Textual, so they start fast; each
command group lives in its own module and registers its subcommands here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, cast

from wttui.errors import EXIT_INTERRUPTED, EXIT_OK, Cancelled, EnvConflict, WttuiError

if TYPE_CHECKING:
    import argparse

    from wttui.cli.registry import Command


def groups() -> tuple[ModuleType, ...]:
    """Modules whose `register(add)` adds their subcommands, in `--help` order (imported when a
    command line is parsed: the app alone needs none of them)."""
    from wttui.cli import (
        data,
        housekeeping,
        inspect,
        integrations,
        lifecycle,
        migrations,
        resolve,
        server,
        status,
        worktrees,
    )

    return (
        status,
        worktrees,
        migrations,
        resolve,
        lifecycle,
        data,
        server,
        housekeeping,
        inspect,
        integrations,
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from wttui.cli.common import PrintSink
    from wttui.cli.demo import run_demo

    if args.dry_run:
        print("demo: opens the demo repository in wttui's data directory (built if missing)")
        print("wttui: dry run: nothing was changed", file=sys.stderr)
        return 0
    return run_demo(args, sink=PrintSink(), open_app=_open_app)


def cmd_app(args: argparse.Namespace) -> int:
    return _open_app(Path(args.repo or ".").resolve())


def _open_app(start: Path) -> int:
    from wttui.ui.launch import open_app  # draws first, then reads the repository (P1)

    return open_app(start)


class _Skipped:
    """Stands in for the parser of a subcommand that is not being run: every call on it (adding
    arguments, groups, sub-subcommands) is taken and does nothing."""

    def __getattr__(self, name: str) -> Callable[..., _Skipped]:
        return self._take

    def _take(self, *_args: object, **_kwargs: object) -> _Skipped:
        return self


def build_parser(command: str | None = None) -> tuple[argparse.ArgumentParser, set[str]]:
    """The parser of every subcommand, or with `command` of that subcommand alone (the others
    are not built: `wttui status` in a git hook should not pay for 35 parsers); and the names
    of the subcommands it has."""
    import argparse  # the app alone (no words) never builds a parser (P1)

    from wttui import __version__

    built: set[str] = set()
    parser = argparse.ArgumentParser(
        prog="wttui",
        description="Give every git worktree its own PostgreSQL database. "
        "Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"wttui {__version__}")
    parser.add_argument("-C", "--repo", help="run as if started in this directory")
    parser.set_defaults(func=cmd_app)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def add(name: str, func: Command, text: str) -> argparse.ArgumentParser:
        if command is not None and name != command:
            return cast(argparse.ArgumentParser, _Skipped())
        built.add(name)
        subcommand = sub.add_parser(name, help=text, description=text)
        subcommand.set_defaults(func=func)
        return subcommand

    for group in groups():
        group.register(add)
    demo = add("demo", cmd_demo, "a throwaway repository with three worktrees, opened in the app")
    demo.add_argument("--no-app", action="store_true", help="build it and print its path")
    demo.add_argument(
        "--fresh", "--yes", "-y", dest="fresh", action="store_true", help="rebuild without asking"
    )
    demo.add_argument("--dry-run", action="store_true", help="say what it would do, change nothing")
    return parser, built


def _parse(words: list[str]) -> argparse.Namespace:
    """The command line parsed with the named subcommand's parser alone; the whole parser for
    anything else (`--help`, an option first, an unknown command: its message lists them all)."""
    parser, built = build_parser(words[0])
    suggestion = None
    if words[0] not in built:
        parser, everything = build_parser()
        if not words[0].startswith("-"):
            import difflib

            # A command the word begins (`stat` → status) before the closest spelling (start).
            names = sorted(everything)
            begun = [name for name in names if name.startswith(words[0])]
            close = begun if len(begun) == 1 else difflib.get_close_matches(words[0], names, n=1)
            suggestion = close[0] if close else None
    try:
        args, unknown = parser.parse_known_args(words)
    except SystemExit as exc:  # argparse said what is wrong (usage, exit 2): add the likely fix
        if exc.code == 2 and suggestion:
            print(f"hint: did you mean `wttui {suggestion}`?", file=sys.stderr)
        raise
    if unknown:  # said by the command's own parser: its usage, not the top-level one
        _innermost(parser, words).error(f"unrecognized arguments: {' '.join(unknown)}")
    return args


def _innermost(parser: argparse.ArgumentParser, words: list[str]) -> argparse.ArgumentParser:
    """The parser of the (sub)command `words` name (`wttui templates prune`), whose usage
    argparse's own message for an unknown argument leaves out (it reports from the top)."""
    import argparse

    for word in words:
        commands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if commands and word in commands[0].choices:
            parser = commands[0].choices[word]
    return parser


def _quiet_stdout() -> None:
    """The reader went away (`wttui status | head -1`): drop the rest of stdout quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        if words:
            args = _parse(words)
            code = int(args.func(args))
        else:  # the app, straight there: no argparse, no command's parser (P1)
            code = _open_app(Path(".").resolve())
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_OK
    except Cancelled as exc:
        print(f"wttui: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except WttuiError as exc:
        print(f"wttui: error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        if isinstance(exc, EnvConflict) and exc.diff:
            print(exc.diff, file=sys.stderr, end="" if exc.diff.endswith("\n") else "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        print("wttui: interrupted; nothing more was done", file=sys.stderr)
        return EXIT_INTERRUPTED
