"""The headless CLI: `main` parses the command line and runs one command (see `main.py`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """`wttui.cli.main.main`, imported here so that a Ctrl-C while the CLI is still loading is
    one line and exit 130, not a traceback."""
    try:
        from wttui.cli.main import main as run
    except KeyboardInterrupt:
        print("wttui: interrupted; nothing was done", file=sys.stderr)
        return 130
    return run(argv)


__all__ = ["main"]
