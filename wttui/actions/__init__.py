"""Actions: plain blocking functions shared by the app and the CLI.

Each reports its steps and lines to a `LogSink`, checks a `CancelToken` between steps, and raises
a `WttuiError` subclass with one clear sentence when it cannot go on.
"""

from wttui.actions.create import create
from wttui.actions.migrate import migrate, rollback
from wttui.actions.remove import remove, reset

__all__ = ["create", "migrate", "remove", "reset", "rollback"]
