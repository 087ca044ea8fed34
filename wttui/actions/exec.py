"""`wttui exec`: run a command in a worktree with its database's environment.

The command gets the worktree as its directory and every env key wttui manages for it
(`DATABASE_URL` and the configured ones) on top of the caller's environment, so scripts and git
hooks reach the right database even before `.env` is loaded; and libpq's own variables
(`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, the password through a 0600 `PGPASSFILE` that
exists only while the command runs), so `psql` and `pg_dump` need no arguments. The plan has
already refused the `[database] refuse` commands on a shared database.
"""

from __future__ import annotations

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.plans import ExecPlan
from wttui.core.urls import url_secrets
from wttui.services import Services


def run_in_worktree(
    services: Services,
    plan: ExecPlan,
    *,
    sink: LogSink,
    cancel: CancelToken,
    capture: bool = True,
) -> int:
    """Run the plan's command and return its exit status. With `capture`, its output goes to
    `sink` line by line (passwords masked), as the app's Log pane needs; without, it shares the
    caller's terminal (the CLI: prompts and colours work).

    Raises:
        Cancelled: cancelled while it ran (it is terminated).
    """
    target = plan.target
    on = "(no database)" if target.none else f"on {target.label}"
    sink.step(f"Running {' '.join(plan.argv)} in {plan.worktree.path} {on}")
    with services.libpq_env(target) as libpq:
        return services.run_command(
            plan.argv,
            cwd=plan.worktree.path,
            env={**libpq, **plan.env},
            sink=sink,
            cancel=cancel,
            secrets=url_secrets(target.url),
            capture=capture,
        )
