"""How command modules add their subcommands to the parser (`main.build_parser` calls each
module's `register(add)`), so a new command group is a new module and one line in `main.py`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Protocol

Command = Callable[[argparse.Namespace], int]
"""A command handler: the parsed arguments in, the exit code out."""


class Add(Protocol):
    def __call__(self, name: str, func: Command, text: str) -> argparse.ArgumentParser:
        """A subcommand `name` running `func`, described by `text` in `--help`."""
        ...
