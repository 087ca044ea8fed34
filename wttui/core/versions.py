"""Migration versions: how tools write them, and their order."""

from __future__ import annotations

import re

_DOTTED = re.compile(r"\d+(?:\.\d+)*")


def leading_digits(text: str) -> str:
    """`20240101120000_add_users.sql` → `20240101120000` ('' when it doesn't start with one)."""
    end = 0
    while end < len(text) and text[end].isdigit():
        end += 1
    return text[:end]


def version_key(version: str) -> tuple[int, tuple[int, ...], str]:
    """Numeric versions in numeric order, dotted ones part by part (Flyway's `1.2` < `1.10`),
    then the rest by text."""
    found = _DOTTED.match(version)
    if found is None:
        return (1, (), version)
    return (0, tuple(int(part) for part in found.group().split(".")), version)
