"""Parsing a folder of plain SQL migrations (no database involved).

Two layouts, mixable in one folder:

- `VERSION_name.sql`, optionally with `-- migrate:up` and `-- migrate:down` section markers
  (dbmate's convention). Without markers the whole file is the up part and there is no down.
- `VERSION_name.up.sql` with an optional `VERSION_name.down.sql` beside it.

dbmate's `transaction:false` option on a section marker (`-- migrate:up transaction:false`) runs
that part without wttui's wrapping transaction, as a file with its own `BEGIN`/`COMMIT` does
(see `tools/sql.py`).

VERSION is a run of digits (`001`, `20251016231054`); migrations sort by its numeric value, so
`2_x` comes before `10_y`. The checksum is the SHA-256 (hex) of the up part's text exactly as
it stands in the file, so editing a comment in the up part counts as a change and editing the
down part does not.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from wttui.errors import MigrationFileError
from wttui.migrations.adapter import LocalMigration

K = TypeVar("K")
V = TypeVar("V")

_NAME = re.compile(r"^(?P<version>\d+)_(?P<name>.+?)(?P<kind>\.up|\.down)?\.sql$")
_UP = re.compile(r"^--\s*migrate:up\b(?P<options>.*)$", re.MULTILINE)
_DOWN = re.compile(r"^--\s*migrate:down\b(?P<options>.*)$", re.MULTILINE)
_NO_TRANSACTION = re.compile(r"\btransaction\s*:\s*false\b", re.IGNORECASE)


@dataclass(frozen=True)
class SqlMigration(LocalMigration):
    """One migration of the folder, with its SQL (`checksum` is the up part's)."""

    up_sql: str = ""
    down_sql: str | None = None
    up_start_line: int = 1
    """1-based line of the file where the up part starts (maps error positions to lines)."""
    down_start_line: int = 1
    """1-based line of the file (or the `.down.sql` file) where the down part starts."""
    up_transaction: bool = True
    """False: the file says `-- migrate:up transaction:false` (dbmate's option)."""
    down_transaction: bool = True
    down_file: Path | None = None
    """The `.down.sql` file of a pair (errors in the down part name it); None: `file`."""

    @property
    def filename(self) -> str:
        return self.file.name

    def line_of(self, position: int | None) -> int:
        """The file line holding 1-based character `position` of the up part."""
        if not position:
            return self.up_start_line
        return self.up_start_line + self.up_sql[: position - 1].count("\n")


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class _Sections:
    up: str
    down: str | None
    up_line: int = 1
    down_line: int = 1
    up_transaction: bool = True
    down_transaction: bool = True


def _split_sections(text: str, path: Path) -> _Sections:
    """The up and down parts of a single-file migration, with their lines and options."""
    up_marker = _UP.search(text)
    down_marker = _DOWN.search(text)
    if up_marker is None and down_marker is None:
        return _Sections(text, None)
    if up_marker is None:
        raise MigrationFileError(f"{path.name} has a -- migrate:down section but no -- migrate:up")
    if down_marker is not None and down_marker.start() < up_marker.start():
        raise MigrationFileError(
            f"{path.name}: -- migrate:down comes before -- migrate:up",
            hint="put the up section first",
        )
    up_begin = up_marker.end() + 1
    if down_marker is not None:
        up_text = text[up_begin : down_marker.start()]
        down_text: str | None = text[down_marker.end() + 1 :]
    else:
        up_text = text[up_begin:]
        down_text = None
    return _Sections(
        up_text,
        down_text,
        up_line=text[:up_begin].count("\n") + 1,
        down_line=text[: down_marker.end() + 1].count("\n") + 1 if down_marker else 1,
        up_transaction=not _NO_TRANSACTION.search(up_marker["options"]),
        down_transaction=not (down_marker and _NO_TRANSACTION.search(down_marker["options"])),
    )


_PARSED: dict[tuple[str, str, str | None], SqlMigration] = {}
"""Parsed migrations by file name and text (up, down): worktrees of one repository mostly hold
the same files, parsed once for all of them."""
_AT: dict[tuple[str, str], tuple[str, str | None, SqlMigration]] = {}
"""The migration last read from a folder and file name, with the text it was read from: a
refresh reads every worktree's folder and most files never change (comparing text, not
timestamps, never misses an edit)."""
_CACHE_LIMIT = 20_000
_LOCK = threading.Lock()


def read_folder(folder: Path) -> list[SqlMigration]:
    """Every migration in `folder`, sorted by version; a missing folder has none.

    Raises:
        MigrationFileError: a `.sql` file without a version, two files with one version, a down
            file without its up file, or an empty up part.
    """
    try:
        with os.scandir(folder) as listing:
            names = sorted(
                entry.name for entry in listing if entry.name.endswith(".sql") and entry.is_file()
            )
    except (FileNotFoundError, NotADirectoryError):
        return []
    ups: dict[str, tuple[re.Match[str], str]] = {}
    downs: dict[str, str] = {}
    for name in names:
        match = _NAME.match(name)
        if match is None:
            raise MigrationFileError(
                f"{name} in {folder} is not named VERSION_name.sql",
                hint="start the name with digits and an underscore, e.g. 003_add_users.sql",
            )
        version = match["version"]
        if match["kind"] == ".down":
            downs[version] = name
            continue
        if version in ups:
            raise MigrationFileError(
                f"{ups[version][1]} and {name} share version {version}",
                hint="give one of them a new version number",
            )
        ups[version] = (match, name)
    for version, name in downs.items():
        if version not in ups:
            raise MigrationFileError(f"{name} has no matching .up.sql file")
    base = os.fspath(folder)
    migrations = []
    for version, (match, name) in ups.items():
        down_name = downs.get(version)
        text = _read(base, name)
        down_text = _read(base, down_name) if down_name else None
        with _LOCK:
            last = _AT.get((base, name))
        if last is not None and last[0] == text and last[1] == down_text:
            migrations.append(last[2])
            continue
        path, down_path = folder / name, folder / down_name if down_name else None
        with _LOCK:
            migration = _PARSED.get((name, text, down_text))
        if migration is None:
            migration = _parse(match, path, text, down_path, down_text)
        elif migration.file != path:  # the same file in another worktree
            migration = replace(migration, file=path, down_file=down_path)
        with _LOCK:
            _remember(_PARSED, (name, text, down_text), migration)
            _remember(_AT, (base, name), (text, down_text, migration))
        migrations.append(migration)
    return sorted(migrations, key=lambda m: (int(m.version), m.version))


def _read(folder: str, name: str) -> str:
    """Raises:
    MigrationFileError: it cannot be read (gone since the folder was listed, no permission),
        or it is not UTF-8 text (PostgreSQL would not take it either)."""
    try:
        with open(f"{folder}/{name}", "rb") as handle:  # bytes, decoded once: beats text mode
            data = handle.read()
    except OSError as exc:
        raise MigrationFileError(f"{name} in {folder} cannot be read: {exc.strerror}") from None
    try:
        return data.decode()
    except UnicodeDecodeError as exc:
        raise MigrationFileError(
            f"{name} in {folder} is not UTF-8 text (byte {exc.start + 1})",
            hint="save it as UTF-8",
        ) from None


def _parse(
    match: re.Match[str], path: Path, text: str, down_path: Path | None, down_text: str | None
) -> SqlMigration:
    up_file = match["kind"] == ".up"
    parts = _Sections(text, down_text) if up_file else _split_sections(text, path)
    if not parts.up.strip():
        raise MigrationFileError(f"{path.name} has an empty up part")
    down = parts.down if parts.down and parts.down.strip() else None
    return SqlMigration(
        version=match["version"],
        name=match["name"],
        file=path,
        checksum=checksum(parts.up),
        has_down=down is not None,
        up_sql=parts.up,
        down_sql=down,
        up_start_line=parts.up_line,
        down_start_line=parts.down_line,
        up_transaction=parts.up_transaction,
        down_transaction=parts.down_transaction,
        down_file=down_path,
    )


def _remember(cache: dict[K, V], key: K, value: V) -> None:
    """Keep `value`; past the limit (an app open for weeks on a busy repository) the oldest
    entries go first."""
    if len(cache) >= _CACHE_LIMIT and key not in cache:
        for old in list(cache)[: _CACHE_LIMIT // 10]:
            del cache[old]
    cache[key] = value
