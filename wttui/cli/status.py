"""`wttui status`: every worktree with its database and migrations (`status_view.py` renders)."""

from __future__ import annotations

import argparse
import json
import sys

from wttui.cli.common import services
from wttui.cli.registry import Add
from wttui.errors import EXIT_OK, EXIT_UNREACHABLE, InvalidInput


def cmd_status(args: argparse.Namespace) -> int:
    """The table or JSON; exit 3 (after printing what could be read) when the server is down."""
    from wttui.providers.server import load_driver_early

    load_driver_early()  # while the config, git and wttui's own modules load
    from wttui.cli.status_view import render_json, render_table
    from wttui.snapshot import read_snapshot

    if args.migrations and not args.json:
        raise InvalidInput("--migrations lists every migration in the JSON: add --json")
    snapshot = read_snapshot(services(args))
    if args.json:
        print(json.dumps(render_json(snapshot, migrations=args.migrations), indent=2))
    else:
        print(render_table(snapshot, _terminal_width()))
    if snapshot.server_error:
        print(f"wttui: error: {snapshot.server_error}", file=sys.stderr)
        return EXIT_UNREACHABLE
    return EXIT_OK


def _terminal_width() -> int | None:
    """The width the table must fit: a terminal's (`COLUMNS` when set, as for `ls` and git);
    None when stdout is a pipe or a file, where every value is printed whole."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


def register(add: Add) -> None:
    status = add("status", cmd_status, "list worktrees with their databases and migrations")
    status.add_argument("--json", action="store_true", help="print JSON on stdout")
    status.add_argument(
        "--migrations",
        action="store_true",
        help="with --json: list every migration (identity, state, out of order, owner, …)",
    )
