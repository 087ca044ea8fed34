"""`wttui server status|start|stop`: manage the embedded PostgreSQL cluster."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from wttui.cli.registry import Add
from wttui.errors import GitError, InvalidInput


def _configured_url(args: argparse.Namespace) -> str:
    """The repository's configured server URL, or '' (also outside any repository)."""
    from wttui import config
    from wttui.providers.git import GitProvider

    try:
        git = GitProvider.discover(Path(args.repo or ".").resolve())
    except GitError:
        return ""
    return config.load(git.root).database.url


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def server_command(args: argparse.Namespace) -> int:
    url = _configured_url(args)
    if url:
        from wttui.core.urls import server_label

        raise InvalidInput(
            f"This repository uses the configured server {server_label(url)}; "
            "wttui does not manage it",
            hint="remove [database] url from .wttui.toml to use the embedded server",
        )
    from wttui.providers.local_cluster import LocalCluster
    from wttui.providers.server import data_dir

    cluster = LocalCluster(data_dir())
    if args.dry_run and args.action in ("start", "stop"):
        status = cluster.status()
        now = "running" if status.running else "stopped"
        print(f"server {args.action}: the embedded server in {status.data_dir} is {now}")
        print("wttui: dry run: nothing was changed", file=sys.stderr)
        return 0
    if args.action == "start":
        cluster.ensure_running(notify=_say)
    elif args.action == "stop":
        cluster.stop(notify=_say)
    status = cluster.status()
    if args.json:
        print(
            json.dumps(
                {
                    "initialised": status.initialised,
                    "running": status.running,
                    "port": status.port,
                    "data_dir": str(status.data_dir),
                    "cluster_dir": str(status.cluster_dir),
                    "version": status.version,
                    "url": status.masked_url,
                    "binaries": status.bin_dir,
                    "socket_dir": str(status.socket_dir),
                },
                indent=2,
            )
        )
        return 0
    state = "running" if status.running else "stopped" if status.initialised else "not initialised"
    print(f"embedded server: {state}")
    print(f"data directory:  {status.data_dir}")
    if status.data_dir not in status.cluster_dir.parents:  # as root: the server's user's place
        print(f"server files:    {status.cluster_dir}")
    if status.port:
        print(f"address:         127.0.0.1:{status.port}")
        print(f"socket:          {status.socket_dir}")
    if status.masked_url:
        print(f"url:             {status.masked_url}")
    if status.version:
        print(f"version:         {status.version}")
    if status.bin_dir:
        print(f"binaries:        {status.bin_dir}")
    return 0


def register(add: Add) -> None:
    server = add("server", server_command, "the embedded PostgreSQL server")
    server.add_argument("action", choices=("status", "start", "stop"), nargs="?", default="status")
    server.add_argument("--json", action="store_true", help="status as JSON")
    server.add_argument(
        "--dry-run", action="store_true", help="say what start or stop would do, change nothing"
    )
