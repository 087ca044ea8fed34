"""Migration versions: how tools write them, and their order."""

from __future__ import annotations

import functools
import re

_DOTTED = re.compile(r"\d+(?:\.\d+)*")

VersionKey = tuple[int, tuple[int, ...], str]
"""A sort key of a migration version in some tool's order."""


def leading_digits(text: str) -> str:
    """`20240101120000_add_users.sql` → `20240101120000` ('' when it doesn't start with one)."""
    end = 0
    while end < len(text) and text[end].isdigit():
        end += 1
    return text[:end]


def migration_label(version: str, name: str) -> str:
    """How a migration is named to people: `001_users` for tools that keep a version apart from
    its name; the identity alone when it holds the name (Prisma's folder names, Knex's file
    names, Django's `app.name`); the name alone when the name carries its own number and the
    identity is a number the tool computed (Drizzle's `0002_merged`, whose identity is the
    journal's `when`)."""
    if not name or name in version:
        return version
    if name[:1].isdigit():
        return name
    return f"{version}_{name}"


@functools.lru_cache(maxsize=8192)  # sorted often (every worktree, every refresh); pure
def version_key(version: str) -> VersionKey:
    """Numeric versions in numeric order, dotted ones part by part (Flyway's `1.2` < `1.10`),
    then the rest by text."""
    found = _DOTTED.match(version)
    if found is None:
        return (1, (), version)
    return (0, tuple(int(part) for part in found.group().split(".")), version)


def text_key(version: str) -> VersionKey:
    """Versions as text, byte by byte (Go's and JavaScript's default string order: dbmate,
    Knex): `2025101614` sorts before `20251016140000`, `2025101614_a` after it."""
    return (0, tuple(version.encode()), version)


_PUNCTUATION = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"


def collation_key(version: str) -> VersionKey:
    """Versions as JavaScript's `localeCompare` orders ASCII names (ICU's root collation):
    punctuation before digits before letters, letters regardless of case first. Prisma sorts
    its migration folders this way, so `2025101614_x` comes before `20251016140000_y`."""
    weights: list[int] = []
    for char in version:
        if char.isdigit():
            weights.append(100 + ord(char))
        elif char.isalpha():
            weights.append(200 + ord(char.lower()))
        else:
            index = _PUNCTUATION.find(char)
            weights.append(index if index >= 0 else 99)
    return (0, tuple(weights), version.swapcase())
