"""`doctor --fix`: run the safe fixes a fix plan names (start the embedded server, prune git's
stale metadata, make env files private, sync), each said in the log."""

from __future__ import annotations

from wttui.actions.sync import sync
from wttui.core.housekeeping import Fix, FixPlan
from wttui.core.logsink import CancelToken, LogSink
from wttui.services import Services


def fix(services: Services, plan: FixPlan, *, sink: LogSink, cancel: CancelToken) -> None:
    fixes = {check.safe_fix for check in plan.checks}
    if Fix.START_SERVER in fixes:
        sink.step("Starting the embedded server")
        services.server.admin_url()  # starts it (on its recorded port when it is free)
        sink.line(f"Running: {services.server.label}")
    cancel.check()
    if Fix.PRUNE in fixes:
        sink.step("Pruning git's metadata of worktrees whose directory is gone")
        for path in services.git.prune():
            sink.line(f"Forgot {path}")
    for check in plan.checks:
        if check.safe_fix is Fix.PRIVATE_ENV and check.path is not None:
            sink.step(f"chmod 600 {check.path}")
            check.path.chmod(0o600)
    cancel.check()
    if plan.sync is not None:
        sync(services, plan.sync, sink=sink, cancel=cancel)
