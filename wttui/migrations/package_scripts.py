"""Which migration tool a `package.json`'s scripts run, and the folder their options name.

A JavaScript monorepo often says how it migrates only in a script: `"db:migrate": "prisma
migrate deploy --schema packages/db/schema.prisma"`, `"migrate": "cd apps/api && drizzle-kit
migrate"`, `"migrate": "dbmate -d db/sql up"`. This reads the scripts (never runs them): each
command is split into its `&&`/`;`/`||` parts with shell rules (`shlex`), a `cd DIR` part moves
where the next parts run, and a part that runs a known tool gives the tool, the directory it
runs in, and the migrations folder its own option names (`--schema`, `--config`, `-d`, `-m`,
`--migrations-directory`, `-dir`, `-path`).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_SEPARATORS = re.compile(r"&&|\|\||;|\|")

_TOOLS = {
    "prisma": "prisma",
    "drizzle-kit": "drizzle",
    "knex": "knex",
    "node-pg-migrate": "node-pg-migrate",
    "dbmate": "dbmate",
    "goose": "goose",
    "flyway": "flyway",
    "alembic": "alembic",
    "sqitch": "sqitch",
}
"""The command word of each tool that reads its migrations from files (`migrate` is
golang-migrate's only with `-path`)."""

_FOLDER_OPTIONS = {
    "knex": ("--migrations-directory",),
    "node-pg-migrate": ("-m", "--migrations-dir"),
    "dbmate": ("-d", "--migrations-dir"),
    "goose": ("-dir", "--dir"),
    "golang-migrate": ("-path", "--path", "-source", "--source"),
}
_CONFIG_OPTIONS = {
    "drizzle": ("--config",),
    "knex": ("--knexfile",),
    "prisma": ("--config",),
}


@dataclass(frozen=True)
class ScriptHint:
    """A script that runs a tool."""

    tool: str
    script: str
    command: str
    file: Path
    """The `package.json`."""
    base: Path
    """Where the tool runs (the `package.json`'s folder, or where a `cd` moved)."""
    folder: Path | None = None
    """The migrations folder an option names; None: the tool's own config decides."""


def _option(words: list[str], names: tuple[str, ...]) -> str | None:
    for index, word in enumerate(words):
        for name in names:
            if word == name and index + 1 < len(words):
                return words[index + 1]
            if word.startswith(name + "="):
                return word.split("=", 1)[1]
    return None


def _tool(words: list[str]) -> tuple[str, int] | None:
    """The tool a command runs and the index of its word (past `npx`, `pnpm exec`, env
    assignments and other wrappers, which are just earlier words)."""
    for index, word in enumerate(words):
        name = word.rsplit("/", 1)[-1]
        if name in _TOOLS:
            rest = words[index + 1 :]
            if name == "prisma" and "migrate" not in rest:
                continue
            if name == "knex" and not any(w.startswith("migrate:") for w in rest):
                continue
            return _TOOLS[name], index
        if name == "migrate" and _option(words[index:], _FOLDER_OPTIONS["golang-migrate"]):
            return "golang-migrate", index
    return None


def _hint(script: str, command: str, file: Path, words: list[str], cwd: Path) -> ScriptHint | None:
    found = _tool(words)
    if found is None:
        return None
    tool, index = found
    args = words[index + 1 :]
    base, folder = cwd, None
    config = _option(args, _CONFIG_OPTIONS.get(tool, ()))
    if config:
        base = (cwd / config).parent
    named = _option(args, _FOLDER_OPTIONS.get(tool, ()))
    if named:
        folder = cwd / named
    if tool == "prisma" and (schema := _option(args, ("--schema",))):
        path = cwd / schema
        folder = (path if path.is_dir() else path.parent) / "migrations"
        base = path.parent
    if tool == "flyway" and (locations := _option(args, ("-locations",))):
        first = locations.split(",", 1)[0]
        if first.startswith("filesystem:"):
            folder = cwd / first.removeprefix("filesystem:")
    return ScriptHint(tool, script, command, file, base, folder)


def script_hints(base: Path) -> Iterator[ScriptHint]:
    """The tools the scripts of `base/package.json` run, migration scripts first."""
    file = base / "package.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        return
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return
    ordered = sorted(
        ((str(k), v) for k, v in scripts.items() if isinstance(v, str)),
        key=lambda item: "migrat" not in item[0],
    )
    for script, command in ordered:
        cwd = base
        for part in _SEPARATORS.split(command):
            try:
                words = shlex.split(part)
            except ValueError:
                break
            if len(words) == 2 and words[0] == "cd":
                cwd = cwd / words[1]
                continue
            hint = _hint(script, command, file, words, cwd)
            if hint is not None:
                yield hint
                break
