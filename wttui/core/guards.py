"""Which commands must never run against a shared database (F35, the seed's critical rules).

A rule is the words of a command (`prisma migrate reset`). A command matches when, after the
package runners that only launch it (`npx`, `pnpm exec`, `bundle exec`, `uv run`, …) are set
aside, its program is the rule's first word (by base name: `bin/rails` is `rails`) and every
other word of the rule appears among its arguments (`prisma db push --accept-data-loss
--force-reset` matches `prisma db push --force-reset`). Pure functions: no I/O.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

_RUNNERS: dict[str, int] = {
    "npx": 1,
    "bunx": 1,
    "pnpx": 1,
    "pnpm": 2,
    "yarn": 1,
    "bundle": 2,
    "poetry": 2,
    "uv": 2,
    "pipenv": 2,
}
"""Launcher → how many words it puts before the real program (`pnpm exec prisma` → 2)."""


def _program_and_args(argv: Sequence[str]) -> list[str]:
    words = list(argv)
    while words and os.path.basename(words[0]) in _RUNNERS:
        skip = _RUNNERS[os.path.basename(words[0])]
        if skip == 2 and len(words) > 1 and words[1].startswith("-"):
            break
        words = words[skip:]
    return words


def refused_rule(argv: Sequence[str], rules: Sequence[str]) -> str | None:
    """The first rule `argv` matches, or None."""
    words = _program_and_args(argv)
    if not words:
        return None
    program, args = os.path.basename(words[0]), words[1:]
    for rule in rules:
        first, *rest = rule.split()
        if program == first and all(word in args for word in rest):
            return rule
    return None
