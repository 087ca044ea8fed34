"""`wttui exec`: run a command in a worktree with its database's environment, guarded.

The command gets the worktree as its directory and every env key wttui manages for it
(`DATABASE_URL` and the configured ones) on top of the caller's environment, so scripts and git
hooks reach the right database even before `.env` is loaded. Against a shared database, the
commands listed in `[database] refuse` are refused before they start.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from wttui.core.guards import refused_rule
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.urls import url_secrets
from wttui.errors import InvalidInput, Refused
from wttui.providers.process import stream
from wttui.services import Services


def run_command(
    services: Services,
    ref: str,
    argv: Sequence[str],
    *,
    sink: LogSink,
    cancel: CancelToken,
    capture: bool = True,
) -> int:
    """Run `argv` in worktree `ref` and return its exit status. With `capture`, its output goes
    to `sink` line by line (passwords masked), as the app's Log pane needs; without, it shares
    the caller's terminal (the CLI: prompts and colours work).

    Raises:
        InvalidInput: no command, or `ref` matches no worktree.
        Refused: the database is shared and the command is in `[database] refuse`.
        Cancelled: cancelled while it ran (it is terminated).
    """
    if not argv:
        raise InvalidInput("No command to run", hint="wttui exec BRANCH -- COMMAND [ARGS…]")
    worktree = services.resolve(ref)
    target = services.target(worktree)
    sharing = services.sharing(worktree, target)
    rule = refused_rule(argv, services.config.database.refuse)
    if rule is not None and (target.shared or sharing):
        users = ", ".join(sharing) or "other worktrees"
        raise Refused(
            f"`{' '.join(argv)}` matches the rule `{rule}`: it would wipe {target.label}, "
            f"which {users} also use(s)",
            hint="run it in a worktree with its own database, or change [database] refuse",
        )
    env = {**os.environ, **services.env_values(target, worktree.label)}
    secrets = url_secrets(target.url)
    sink.step(f"Running {' '.join(argv)} in {worktree.path} on {target.label}")
    return stream(
        argv, cwd=worktree.path, env=env, sink=sink, cancel=cancel, secrets=secrets, capture=capture
    )
