"""`hooks install|uninstall`: write (or remove) the hook file a hooks plan names."""

from __future__ import annotations

from wttui.core.housekeeping import HooksPlan
from wttui.core.logsink import CancelToken, LogSink
from wttui.services import Services


def apply_hooks(services: Services, plan: HooksPlan, *, sink: LogSink, cancel: CancelToken) -> None:
    del cancel
    if plan.action == "none":
        sink.line(f"{plan.hook}: nothing to do")
        return
    services.write_hook(plan.hook, plan.new_text)
    done = "removed" if plan.new_text is None else "written"
    sink.step(f"{plan.hook} {done} ({plan.action})")
