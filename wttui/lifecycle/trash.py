"""Soft drops: a dropped database, schema or container goes into the trash, and comes back.

`remove`, `reset` and the orphan cleanup never drop: they rename what they would drop into a
`wttui_trash_<when>_<name>` name (a database or schema renamed on its server; a container
stopped and renamed, its volume still attached; in a container whose database is reset, the
database renamed inside it), and record it in the project's trash index in the data directory
(who it belonged to, the worktree's path and branch, why). `wttui undo` renames the newest one
back (and re-adds the worktree on its branch when it was removed), `trash purge` drops for good
what is older than `[cleanup] trash_days`.

The index is a small JSON file, written atomically under a file lock: two wttui processes can
trash at once. What the index names and the server no longer has is shown as gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from wttui.core.lifecycle_names import TRASH_PREFIX, trash_name

KINDS = ("database", "schema", "container", "container database")
"""A database on the project's server, a schema in the project's database, a whole container
(its volume kept with it), a database inside a worktree's container."""


@dataclass(frozen=True)
class TrashItem:
    """One thing in the trash, and everything `undo` needs to put it back."""

    name: str
    """Its name in the trash (a database, schema or container)."""
    kind: str
    original: str
    """The name it had (and gets back)."""
    server: str
    worktree: str
    """The worktree label it belonged to ('' for an orphan)."""
    branch: str | None
    path: str
    """The worktree's path when it was dropped (where `undo` re-adds it)."""
    reason: str
    """`remove`, `reset`, `restore`, `rebuild`, `clone`, `cleanup`."""
    trashed_at: datetime
    worktree_removed: bool = False
    """The worktree went too (`remove`): `undo` brings it back on its branch."""
    database: str = ""
    """The database holding a trashed schema."""
    container: str | None = None
    """The container holding a trashed container database."""
    size_bytes: int | None = None

    def age(self, now: datetime | None = None) -> timedelta:
        return (now or datetime.now(UTC)) - self.trashed_at

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["trashed_at"] = self.trashed_at.isoformat(timespec="seconds")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrashItem:
        values = dict(data)
        values["trashed_at"] = datetime.fromisoformat(str(values["trashed_at"]))
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in values.items() if key in known})


class TrashIndex:
    """The trash index of one project: `<data>/projects/<project>/trash.json`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "trash.json"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "trash.lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _read(self) -> list[TrashItem]:
        try:
            raw = json.loads(self.path.read_text())
        except FileNotFoundError:
            return []
        except ValueError:
            return []  # a damaged index lists nothing; the names on the server still say trash
        return [TrashItem.from_json(item) for item in raw if isinstance(item, dict)]

    def _write(self, items: list[TrashItem]) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps([item.to_json() for item in items], indent=1))
        os.chmod(temporary, 0o600)
        temporary.replace(self.path)

    def items(self) -> list[TrashItem]:
        """Everything in the trash, newest first."""
        with self._locked():
            found = self._read()
        return sorted(found, key=lambda item: item.trashed_at, reverse=True)

    def add(self, item: TrashItem) -> None:
        with self._locked():
            self._write([*self._read(), item])

    def forget(self, name: str) -> None:
        with self._locked():
            self._write([item for item in self._read() if item.name != name])

    def update(self, item: TrashItem) -> None:
        with self._locked():
            self._write([item if each.name == item.name else each for each in self._read()])

    def taken(self) -> set[str]:
        return {item.name for item in self.items()}

    def new_name(self, original: str, when: datetime, on_server: set[str]) -> str:
        """A trash name for `original`: recognisable, ≤ 63 bytes, unused here and there."""
        return trash_name(original, when, self.taken() | on_server)


def expired(items: list[TrashItem], days: int, now: datetime | None = None) -> list[TrashItem]:
    """What `[cleanup] trash_days` says may go (everything when `days` is 0)."""
    limit = timedelta(days=days)
    return [item for item in items if item.age(now) >= limit]


def parse_age(text: str) -> timedelta:
    """`7d`, `12h`, `30m`, `0` → a timedelta.

    Raises:
        ValueError: anything else.
    """
    text = text.strip().lower()
    if text in ("0", "0d"):
        return timedelta(0)
    units = {"d": "days", "h": "hours", "m": "minutes", "w": "weeks"}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise ValueError(text)
    return timedelta(**{units[text[-1]]: int(text[:-1])})


def with_size(item: TrashItem, size: int | None) -> TrashItem:
    return replace(item, size_bytes=size)


def is_trash(name: str) -> bool:
    return name.startswith(TRASH_PREFIX)
