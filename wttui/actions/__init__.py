"""Actions: plain blocking functions that execute a plan (`wttui.plans_*`), shared by the app and
the CLI.

Each takes the plan it runs (the rules were applied when it was made), reports its steps and
lines to a `LogSink`, checks a `CancelToken` between steps, and raises a `WttuiError` subclass
with one clear sentence when it cannot go on. Actions reach providers and strategies only
through `Services` and the plan's `WorktreeContext`.
"""

from wttui.actions.create import create
from wttui.actions.migrate import migrate, rollback
from wttui.actions.remove import remove, reset
from wttui.actions.resolve import resolve

__all__ = ["create", "migrate", "remove", "reset", "resolve", "rollback"]
