"""`.env` rendered whole from a template (`[env] template = ".env.template"`), seed 1's
"use environment variables" practice made a command.

The template is an env file whose values may hold wttui's fields (`DATABASE_URL={url}`,
`DB_SCHEMA={schema}`, `{{`/`}}` for a literal brace): the same fields as `[env.keys]`. Its
comments, blank lines and lines without a field are copied as they are; a line with a field is
written again with its value rendered and quoted by `envfile.render_value` (so `sh` and every
dotenv loader read it literally). Keys wttui manages that the template leaves out
(`DATABASE_URL`, `[env.keys]`) follow it under wttui's header.

The env file is that rendered part, then wttui's marker line, then the user's own lines: those
below the marker are never changed, and a key set again there is the user's (wttui stops
managing it in that worktree). A file without the marker (written before the template, or by
hand) keeps every line that does not set a key the template sets, moved below the marker; a
different value for such a key is a hand-set value, replaced only when forced. Pure text in,
text out: reading and writing the file is `envfile`'s.
"""

from __future__ import annotations

import io
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv.parser import Binding, parse_stream

from wttui.errors import InvalidInput
from wttui.providers.envfile import HEADER, EnvChange, parse_env, render_value

MARKER = "# ---- wttui: lines below this one are yours, kept when wttui renders this file ----"


@dataclass(frozen=True)
class Rendered:
    """The part of the env file wttui owns, rendered from the template."""

    text: str
    values: dict[str, str]
    """Every key it sets and the value loaders read (holds a password)."""


def _bindings(text: str) -> list[Binding]:
    return list(parse_stream(io.StringIO(text)))


def _fields_of(template: str, where: str) -> list[str]:
    try:
        return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise InvalidInput(
            f"{where}: malformed template ({exc}; write a literal brace as {{{{ or }}}})"
        ) from None


def render(
    template: str, fields: Mapping[str, str], extra: Mapping[str, str], *, name: str
) -> Rendered:
    """The rendered part of the env file: `template` (the file called `name`) with `fields`
    filled in, then the `extra` keys it does not set.

    Raises:
        InvalidInput: a value names an unknown field, has an unbalanced brace, or cannot be
            written literally.
    """
    out: list[str] = []
    values: dict[str, str] = {}
    for binding in _bindings(template):
        original = binding.original.string
        if binding.key is None or binding.value is None:
            out.append(original)
            continue
        where = f"{name} line {binding.original.line}: {binding.key}"
        used = _fields_of(binding.value, where)
        unknown = [f for f in used if f not in fields]
        if unknown:
            known = ", ".join(sorted(fields))
            raise InvalidInput(f"{where}: unknown field {{{unknown[0]}}} (known: {known})")
        if not used and "{" not in binding.value and "}" not in binding.value:
            out.append(original)  # no field: the template's own text, byte for byte
            values[binding.key] = binding.value
            continue
        value = binding.value.format(**fields)
        head, export = _prefix(original)
        ending = "\r\n" if original.endswith("\r\n") else "\n"
        out.append(f"{head}{export}{binding.key}={render_value(binding.key, value)}{ending}")
        values[binding.key] = value
    text = "".join(out)
    if text and not text.endswith("\n"):
        text += "\n"
    missing = [key for key in extra if key not in values]
    if missing:
        text += ("\n" if text else "") + HEADER + "\n"
        for key in missing:
            text += f"{key}={render_value(key, extra[key])}\n"
            values[key] = extra[key]
    return Rendered(text, values)


def _prefix(line: str) -> tuple[str, str]:
    """The leading blank lines and indent of an assignment, and its `export `."""
    stripped = line.lstrip()
    head = line[: len(line) - len(stripped)]
    export = "export " if stripped.startswith("export ") else ""
    return head, export


def split(text: str) -> tuple[str, str | None]:
    """An env file's text above wttui's marker, and below it (None: there is no marker)."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.strip() == MARKER:
            return "".join(lines[:index]), "".join(lines[index + 1 :])
    return text, None


def user_keys(text: str) -> set[str]:
    """The keys the user sets below the marker: theirs, not wttui's to manage."""
    below = split(text)[1]
    return set(parse_env(below)) if below else set()


def plan_rendered(path: Path, rendered: Rendered, old_text: str) -> EnvChange:
    """What writing `rendered` over the env file at `path`, now holding `old_text`, does: the
    new text, the hand-set values it would replace (only in a file without the marker) and
    those lines (for the conflict diff). Changes nothing."""
    below = split(old_text)[1]
    conflicts: tuple[str, ...] = ()
    lines: list[tuple[str | None, str | None]] = []
    if below is None:
        # Never rendered: the user's lines move below the marker, except those setting a key
        # the rendered part sets (they would override it) and wttui's own earlier header.
        current = parse_env(old_text)
        wanted = rendered.values
        conflicts = tuple(key for key in wanted if key in current and current[key] != wanted[key])
        kept = []
        for binding in _bindings(old_text):
            original = binding.original.string
            if binding.key in wanted or original.strip() == HEADER:
                if binding.key in conflicts:
                    new = f"{binding.key}={render_value(binding.key, wanted[binding.key])}"
                    lines.append((original.strip(), new))
                continue
            kept.append(original)
        below = "".join(kept).strip("\r\n")
        below = below + "\n" if below else ""
    return EnvChange(
        path=path,
        old_text=old_text,
        new_text=rendered.text + "\n" + MARKER + "\n" + below,
        conflicts=conflicts,
        lines=tuple(lines),
    )
