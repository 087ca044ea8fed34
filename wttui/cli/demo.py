"""`wttui demo`: open the demo repository, building it only when there is none or when asked.

An earlier demo may hold what someone tried out, so it is never wiped without asking: on a
terminal wttui asks, `--fresh` (or `--yes`) rebuilds without asking, and anything else reuses
it. After the app quits, wttui says where the demo lives and that its server keeps running.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from wttui.core.logsink import LogSink


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _rebuild_wanted(args: argparse.Namespace, existing: Path, built: str) -> bool:
    if getattr(args, "fresh", False):
        return True
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return False
    when = f" (built {built})" if built else ""
    try:
        answer = input(
            f"A demo exists in {existing}{when}.\n"
            "Rebuild it from scratch? Its worktrees and databases are deleted. [y/N] "
        )
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes")


def run_demo(args: argparse.Namespace, *, sink: LogSink, open_app: Callable[[Path], int]) -> int:
    """Build or reuse the demo, open it in the app (unless `--no-app`), then say where it is."""
    from wttui.demo import build_demo, built_at, existing_demo, reuse_demo
    from wttui.providers.server import Server

    server = Server()
    existing = existing_demo()
    if existing is not None and not _rebuild_wanted(args, existing, built_at()):
        root = reuse_demo(existing, sink, server=server)
    else:
        root = build_demo(sink, server=server)
    if args.no_app:
        print(root)
        return 0
    code = open_app(root)
    cluster = server.cluster
    status = cluster.status() if cluster is not None else None
    _say(f"\nThe demo lives in {root} (`wttui demo --fresh` rebuilds it).")
    if status is not None and status.running:
        _say(
            f"Its embedded PostgreSQL is still running on 127.0.0.1:{status.port}; "
            "`wttui server stop` stops it."
        )
    return code
