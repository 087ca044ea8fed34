"""Snapshots (F24): copies of a worktree's database to go back to.

Two ways to keep one, chosen by `[snapshots] method`:
- `template`: a frozen copy on the same server (`wttui_snap_<when>_<db>`), made with the
  measured clone method: the fastest both ways, but it needs the database idle while copied
  and lives on the server;
- `dump`: `pg_dump -Fc` into the data directory, by a `pg_dump` of the server's major version
  (`pg_tools.find_tool` says which, and refuses an older one with the package to install):
  works with open sessions, for every strategy, across servers.

`auto` takes a template for the database strategy when the database is idle, a dump otherwise.
Each snapshot has a JSON file beside it (`<data>/projects/<project>/snapshots/<worktree>/`)
saying what it is: the database, the newest applied migration, sizes, versions, why it was
taken. `[snapshots] keep` bounds how many a worktree keeps.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wttui.core.naming import worktree_slug

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


@dataclass(frozen=True)
class Snapshot:
    """One snapshot as `wttui snapshots` lists it."""

    name: str
    worktree: str
    method: str
    """`template` or `dump`."""
    kind: str
    """What was copied: `database`, `schema`, `container database`."""
    source: str
    """The database (or schema) it was taken from."""
    created_at: datetime
    size_bytes: int
    migration: str
    """The newest applied migration then ('' when none)."""
    reason: str
    """`manual`, or the action it was taken before (`reset`, `restore`, `rebuild`)."""
    file: str = ""
    """The dump file (method `dump`)."""
    database: str = ""
    """The template database holding it (method `template`)."""
    server_version: str = ""
    tool: str = ""
    """The `pg_dump` that wrote it, with its version and path (method `dump`)."""
    container: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat(timespec="microseconds")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["created_at"] = datetime.fromisoformat(str(values["created_at"]))
        return cls(**values)


def check_name(name: str) -> None:
    """A snapshot name: letters, digits, `._-`, at most 63 characters.

    Raises:
        ValueError: anything else (the CLI says it as bad input).
    """
    if not _NAME.match(name):
        raise ValueError(name)


def default_name(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%d-%H%M%S")


class SnapshotStore:
    """The snapshots of one project: `<folder>/snapshots/<worktree slug>/<name>.json`."""

    def __init__(self, folder: Path) -> None:
        self.root = folder / "snapshots"

    def folder(self, worktree: str) -> Path:
        return self.root / worktree_slug(worktree)

    def dump_path(self, worktree: str, name: str) -> Path:
        return self.folder(worktree) / f"{name}.dump"

    def listing(self, worktree: str | None = None) -> list[Snapshot]:
        """Snapshots of `worktree` (or of every worktree), newest first."""
        folders = [self.folder(worktree)] if worktree else sorted(self.root.glob("*"))
        found = []
        for folder in folders:
            for meta in folder.glob("*.json"):
                try:
                    found.append(Snapshot.from_json(json.loads(meta.read_text())))
                except (ValueError, KeyError, TypeError):
                    continue  # a damaged sidecar: not listed, its dump stays for a person
        return sorted(found, key=lambda s: s.created_at, reverse=True)

    def find(self, worktree: str, name: str | None) -> Snapshot | None:
        """The snapshot called `name` (None: the newest) of `worktree`."""
        mine = self.listing(worktree)
        if name is None:
            return mine[0] if mine else None
        return next((s for s in mine if s.name == name), None)

    def save(self, snapshot: Snapshot) -> None:
        folder = self.folder(snapshot.worktree)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{snapshot.name}.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(snapshot.to_json(), indent=1))
        os.chmod(temporary, 0o600)
        temporary.replace(path)

    def forget(self, snapshot: Snapshot) -> None:
        """Remove the sidecar and the dump file (a template database is the caller's)."""
        folder = self.folder(snapshot.worktree)
        (folder / f"{snapshot.name}.json").unlink(missing_ok=True)
        if snapshot.file:
            Path(snapshot.file).unlink(missing_ok=True)

    def beyond(self, worktree: str, keep: int) -> list[Snapshot]:
        """The oldest snapshots of `worktree` past the newest `keep`."""
        return self.listing(worktree)[keep:]
