"""wttui: a terminal app that gives every git worktree its own PostgreSQL database.

The package root stays import-light on purpose: the headless CLI (`wttui status --json`) must
start without importing Textual, so nothing here pulls in :mod:`wttui.ui`.
"""

__version__ = "0.1.0"
