"""The headless CLI: `main` parses the command line and runs one command (see `main.py`)."""

from wttui.cli.main import main

__all__ = ["main"]
