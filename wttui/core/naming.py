"""F1: worktree → database, schema, container and folder names, and the checks on branch names.

Distinct branch names never share a name. A *plain* label — lower-case ASCII words `[a-z0-9]+`
joined by single `/` or `-` — maps losslessly and stays readable: `/` → `__`, `-` → `_`
(`feat/user-auth` → `feat__user_auth`); plain slugs never contain `___`. Every other label
(`Feat/X`, `feat_x`, `release/1.2`, `feat/café`, `a//b`) gets a readable approximation followed
by `___` and 8 hex digits of a hash of the exact label (`Main` → `main___…`), so it can equal
neither a plain slug nor another label's slug. A name over PostgreSQL's 63-byte limit is cut and
ends with the same `___` marker and a hash of what was cut. Worktree folders are the slug with
`_` → `-` (a character-for-character swap, so still injective).
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata

from wttui.errors import InvalidInput

MAX_IDENTIFIER_BYTES = 63
"""PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server."""
HASH_LENGTH = 8
MARK = "___"
"""Starts the hash suffix of every slug that is not a plain label's: plain slugs never hold it."""
MAX_DIRNAME_BYTES = 200
"""Worktree folder names stay well under the 255 bytes most filesystems allow."""

_PLAIN = re.compile(r"[a-z0-9]+(?:[/-][a-z0-9]+)*")
_NON_IDENT = re.compile(r"[^a-z0-9_]+")
_UNDERSCORES = re.compile(r"_{3,}")
_PER_WORKTREE = frozenset({"worktree", "branch"})
_TEMPLATE_FIELDS = frozenset({"project", *_PER_WORKTREE})


def short_hash(text: str, length: int = HASH_LENGTH) -> str:
    """A stable short hex digest of `text` (not for security: for collision-free suffixes)."""
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:length]


def _ascii_lower(text: str) -> str:
    """`text` lower-cased, accents folded (`café` → `cafe`), other non-ASCII dropped."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded.lower()


def sanitize(text: str) -> str:
    """A readable `[a-z0-9_]` approximation of `text` (lossy: not a name on its own).

    Lower-cased, accents folded, `/` → `__`, every other run of characters → `_`, runs of three
    or more `_` shortened to two (so it never holds `MARK`), `_` trimmed at both ends.
    """
    folded = _NON_IDENT.sub("_", _ascii_lower(text).replace("/", "__"))
    return _UNDERSCORES.sub("__", folded).strip("_")


def worktree_slug(label: str) -> str:
    """The `{worktree}` value for a branch or directory label; injective over labels.

    `feat/user-auth` → `feat__user_auth` (plain labels, losslessly); `Feat/X` → `feat__x___<hash>`.
    """
    if _PLAIN.fullmatch(label):
        return label.replace("/", "__").replace("-", "_")
    return sanitize(label) + MARK + short_hash(label)


def worktree_dirname(label: str) -> str:
    """The folder name of a new worktree for `label` (`feat/user-auth` → `feat--user-auth`).

    The slug with `_` → `-`; injective because slugs are. A name too long for a filesystem is
    cut and ends with `---` and a hash of the label (plain slugs never hold `___`, so never
    `---`).
    """
    name = worktree_slug(label).replace("_", "-")
    if len(name) <= MAX_DIRNAME_BYTES:  # slugs are ASCII: characters are bytes
        return name
    suffix = MARK.replace("_", "-") + short_hash("dir\0" + label)
    return name[: MAX_DIRNAME_BYTES - len(suffix)].rstrip("-") + suffix


def fit_identifier(name: str, *, source: str | None = None) -> str:
    """Cut `name` to ≤ 63 bytes, ending it with `___<hash of source>` when it had to be cut."""
    if len(name.encode()) <= MAX_IDENTIFIER_BYTES:
        return name
    suffix = MARK + short_hash("cut\0" + (source if source is not None else name))
    head = name.encode()[: MAX_IDENTIFIER_BYTES - len(suffix)].decode(errors="ignore")
    return head.rstrip("_") + suffix


def _parse_template(template: str) -> list[tuple[str, str | None]]:
    """`template` as (literal text, field) pairs.

    Raises:
        InvalidInput: unbalanced braces, a field other than project/worktree/branch, or a
            conversion or format spec (`{worktree!r}`, `{worktree:>9}`).
    """
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise InvalidInput(
            f"Name template {template!r} is malformed: {exc}",
            hint="write fields as {project}, {worktree} or {branch}; a literal brace as {{ or }}",
        ) from None
    pairs: list[tuple[str, str | None]] = []
    for literal, field_name, spec, conversion in parsed:
        if field_name is not None and field_name not in _TEMPLATE_FIELDS:
            raise InvalidInput(
                f"Unknown field {{{field_name}}} in name template {template!r}",
                hint="use {project}, {worktree} or {branch}",
            )
        if spec or conversion:
            raise InvalidInput(
                f"Field {{{field_name}}} in name template {template!r} has a format spec or "
                "conversion",
                hint="use the bare field: {project}, {worktree} or {branch}",
            )
        pairs.append((literal, field_name))
    return pairs


def check_template(template: str) -> None:
    """Raise `InvalidInput` if `template` is malformed or uses a field other than project,
    worktree, branch."""
    _parse_template(template)


def _render(template: str, project: str, label: str | None) -> str:
    """The rendered pieces up to the first per-worktree field when `label` is None."""
    out = []
    for literal, field_name in _parse_template(template):
        out.append(_NON_IDENT.sub("_", literal.lower()))
        if field_name == "project":
            out.append(sanitize(project))
        elif field_name is not None:
            if label is None:
                break
            out.append(worktree_slug(label))
    name = "".join(out)
    return f"_{name}" if name[:1].isdigit() else name


def database_name(template: str, *, project: str, label: str) -> str:
    """Render `template` for the worktree called `label` into a valid ≤ 63-byte identifier.

    Injective over labels for a template with `{worktree}` or `{branch}`: literal text and the
    project are the same for every label, and the slug is injective.
    """
    name = _render(template, project, label) or "db_" + short_hash(project)
    return fit_identifier(name, source=f"{template}\0{project}\0{label}")


def name_prefix(template: str, *, project: str) -> str:
    """What every per-worktree name rendered from `template` starts with (for orphans)."""
    return _render(template, project, None)


RESERVED_SCHEMAS = frozenset({"public", "information_schema", "wttui"})
"""Schemas the schema strategy never creates, adopts or drops (with every `pg_*` schema):
PostgreSQL's own, the default one, and wttui's side table's."""


def is_reserved_schema(name: str) -> bool:
    return name in RESERVED_SCHEMAS or name.startswith("pg_")


def check_schema_name(name: str) -> None:
    """Raise `InvalidInput` when `name` is a reserved schema (`public`, `pg_*`, …)."""
    if is_reserved_schema(name):
        raise InvalidInput(
            f"Schema {name} is reserved (public, information_schema, pg_* and wttui are "
            "PostgreSQL's or wttui's own): wttui never makes, adopts or drops it",
            hint="use another branch name, or a [database] schema template like wt_{worktree}",
        )


MAX_BRANCH_BYTES = 240
"""Branch names become directory names, and most filesystems stop at 255 bytes."""

_GIT_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")
_QUOTES = frozenset("'\"`")


def _git_problems(branch: str) -> list[str]:
    """Why `git check-ref-format --branch` refuses `branch` (empty: it accepts it)."""
    problems = []
    parts = branch.split("/")
    if not branch:
        problems.append("it is empty")
    if branch.startswith("-"):
        problems.append("it starts with '-'")
    if branch == "HEAD":
        problems.append("it is HEAD")
    if _GIT_REF_FORBIDDEN.search(branch):
        problems.append("it contains a space, a control character or one of ~ ^ : ? * [ \\")
    if ".." in branch:
        problems.append("it contains '..'")
    if "@{" in branch:
        problems.append("it contains '@{'")
    if branch and any(not part for part in parts):
        problems.append("it starts or ends with '/' or has '//'")
    if any(part.startswith(".") for part in parts):
        problems.append("a part between slashes starts with '.'")
    if any(part.endswith(".lock") for part in parts):
        problems.append("a part between slashes ends with '.lock'")
    if branch.endswith("."):
        problems.append("it ends with '.'")
    return problems


def check_branch_name(branch: str) -> None:
    """Reject a branch name git would refuse (`git check-ref-format --branch`), with the rule
    it breaks, before anything is made.

    Slashes and unicode are fine (`feat/café`). Beyond git's rules wttui also refuses `@`
    alone (git reads it as HEAD), quotes (they break shells and `.env` files), text that is
    not UTF-8, and names over 240 bytes (they name a directory).
    """
    problems = _git_problems(branch)
    if branch == "@":
        problems.append("it is '@', which git reads as HEAD")
    if _QUOTES.intersection(branch):
        problems.append("it contains a quote")
    try:
        size = len(branch.encode())
    except UnicodeEncodeError:
        problems.append("it is not valid UTF-8")
        size = 0
    if size > MAX_BRANCH_BYTES:
        problems.append(
            f"it is {size} bytes long (at most {MAX_BRANCH_BYTES}: it names a directory)"
        )
    if problems:
        shown = branch.encode("utf-8", "backslashreplace").decode()
        raise InvalidInput(f"Invalid branch name {shown!r}: " + "; ".join(problems) + ".")


def role_name(project: str) -> str:
    """The login role a project's worktrees connect as (`wttui_myapp`), ≤ 63 bytes."""
    return fit_identifier("wttui_" + sanitize(project), source="wttui_" + project)
