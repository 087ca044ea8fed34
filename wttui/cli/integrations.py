"""`hooks`, `shell-init`, `cd` and `pick`: wttui inside git, agent tools and the shell."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wttui.cli.common import PrintSink, add_plan_options, confirm_or_stop, run_action, services
from wttui.cli.registry import Add
from wttui.errors import EXIT_OK, InvalidInput


def cmd_hooks(args: argparse.Namespace) -> int:
    from wttui.actions.hooks import apply_hooks
    from wttui.plans_housekeeping import plan_hooks

    found = services(args)
    plan = plan_hooks(found, args.action)
    if not confirm_or_stop(args, f"hooks {args.action}", plan):
        return EXIT_OK
    run_action(lambda cancel: apply_hooks(found, plan, sink=PrintSink(), cancel=cancel))
    return EXIT_OK


def cmd_shell_init(args: argparse.Namespace) -> int:
    from wttui.core.shell import script

    print(script(args.shell), end="")
    return EXIT_OK


def cmd_cd(args: argparse.Namespace) -> int:
    """The worktree's path on stdout; the shell function `cd`s there."""
    found = services(args)
    path = found.resolve(args.branch).path
    if not path.is_dir():
        raise InvalidInput(
            f"The directory of {args.branch} ({path}) is gone",
            hint="`wttui orphans --clean` prunes it",
        )
    print(path)
    if not args.print_only:
        print(
            "wttui: a program cannot change its shell's directory; add the shell function "
            '(eval "$(wttui shell-init bash)") and `wttui cd` does, or use cd "$(wttui pick)"',
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_pick(args: argparse.Namespace) -> int:
    """Print one worktree's path: the only one matching QUERY, or the one chosen from a list."""
    found = services(args)
    entries = [e for e in found.git.entries() if e.path.is_dir()]
    query = (args.query or "").lower()
    matches = [e for e in entries if query in e.label.lower() or query in str(e.path).lower()]
    exact = [e for e in matches if e.label.lower() == query or e.path.name.lower() == query]
    if len(exact) == 1:
        matches = exact
    if not matches:
        raise InvalidInput(f"No worktree matches {args.query!r}", hint="`wttui status` lists them")
    if len(matches) == 1:
        print(matches[0].path)
        return EXIT_OK
    choice = _choose([f"{e.label}  {e.path}" for e in matches])
    print(matches[choice].path)
    return EXIT_OK


def _choose(lines: list[str]) -> int:
    """A numbered list on the terminal (stdout stays for the answer); the chosen index."""
    try:
        with Path("/dev/tty").open() as tty_in, Path("/dev/tty").open("w") as tty_out:
            for number, line in enumerate(lines, 1):
                print(f"{number:>3}  {line}", file=tty_out)
            print("Which one? ", end="", file=tty_out, flush=True)
            answer = tty_in.readline().strip()
    except OSError:
        raise InvalidInput(
            f"{len(lines)} worktrees match and there is no terminal to choose on",
            hint="narrow the query: " + ", ".join(line.split()[0] for line in lines),
        ) from None
    if not answer.isdigit() or not 1 <= int(answer) <= len(lines):
        raise InvalidInput(f"Not a number from 1 to {len(lines)}: {answer!r}")
    return int(answer) - 1


def register(add: Add) -> None:
    hooks = add(
        "hooks",
        cmd_hooks,
        "install or remove the post-checkout hook: a plain `git worktree add` gets its database",
    )
    hooks.add_argument("action", choices=("install", "uninstall"))
    add_plan_options(hooks, lock=False)

    shell = add("shell-init", cmd_shell_init, "print the shell function behind `wttui cd`")
    shell.add_argument("shell", choices=("bash", "zsh", "fish"))

    cd = add("cd", cmd_cd, "go to a worktree (with the shell function; else prints its path)")
    cd.add_argument("branch", help="worktree branch, path or directory")
    cd.add_argument("--print", dest="print_only", action="store_true", help=argparse.SUPPRESS)

    pick = add("pick", cmd_pick, 'print a worktree\'s path, for cd "$(wttui pick)"')
    pick.add_argument("query", nargs="?", help="part of a branch or path")
