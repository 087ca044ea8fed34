"""`wttui test BRANCH -- CMD` (F42): a throwaway `{database}_test` for one test run.

Made from the template cache when it can (a clone and the missing migrations), else empty and
migrated by the worktree's tool; CMD runs in the worktree with the managed env keys pointing at
it; afterwards it is dropped — also when CMD fails, and when the run is cancelled (Ctrl-C) —
unless `--keep`. The exit status is CMD's. The plan has chosen a name no live worktree uses
(`plans_data.throwaway_target`); a copy a killed run left is an orphan (`wttui.orphans`).
"""

from __future__ import annotations

from wttui.actions.exec import run_in_worktree
from wttui.actions.templates import provision_from_template
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.plans import ExecPlan
from wttui.core.plans_lifecycle import DbTestPlan
from wttui.plans_lifecycle import template_cache_applies
from wttui.services import Services


def run_tests(
    services: Services,
    plan: DbTestPlan,
    *,
    sink: LogSink,
    cancel: CancelToken,
    capture: bool = True,
) -> int:
    """Execute `plan`; CMD's exit status.

    Raises:
        MigrationFailed: the test database could not be migrated (it is dropped).
        Cancelled: cancelled (CMD is stopped; the test database is dropped).
    """
    target = plan.target
    context = services.context(plan.worktree, target=target)
    drops = services.lifecycle.soft_drops()
    if plan.exists:
        sink.line(f"{target.label} is left from an earlier run: dropping it first")
        drops.drop_now(target)
    sink.step(f"Test database {target.label} on {target.server}")
    try:
        cloned = None
        if template_cache_applies(services, context):
            cloned = provision_from_template(services, context, sink=sink, cancel=cancel)
        if cloned is None:
            if target.container:
                drops.fresh_database(target)
            else:
                context.strategy.provision(target, sink=sink, owned=True, cancel=cancel)
        cancel.check()
        sink.step(f"Migrating {target.label}")
        context.tool.apply(
            target.connect_url, context=context.apply_context(), sink=sink, cancel=cancel
        )
        cancel.check()
        # As `exec` runs it: libpq's variables too (psql & co. need no arguments).
        run = ExecPlan(worktree=plan.worktree, target=target, argv=plan.argv, env=plan.env)
        status = run_in_worktree(services, run, sink=sink, cancel=cancel, capture=capture)
        if status < 0:  # killed by a signal (Ctrl-C reached it too): the shell's 128 + signal
            status = 128 - status
        sink.line(f"{plan.argv[0]} exited with status {status}")
        return status
    finally:
        if plan.keep:
            sink.line(f"Keeping {target.label} (--keep): {target.masked_url}")
        else:
            sink.step(f"Dropping test database {target.label}")
            drops.drop_now(target)
