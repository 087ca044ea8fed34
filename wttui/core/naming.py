"""F1: worktree → database names, and the checks on branch names a user types.

A database name comes from a template (`{project}_{worktree}`), is sanitised to `[a-z0-9_]`
and never exceeds PostgreSQL's 63-byte identifier limit: a longer one is cut and given a short
hash of the *unsanitised* name, so two long branch names that share a prefix never collide and
the same branch always maps to the same database.
"""

from __future__ import annotations

import hashlib
import re
import string

from wttui.errors import InvalidInput

MAX_IDENTIFIER_BYTES = 63
"""PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated by the server."""
HASH_LENGTH = 8

_NON_IDENT = re.compile(r"[^a-z0-9_]+")
_TEMPLATE_FIELDS = frozenset({"project", "worktree", "branch"})


def sanitize(text: str) -> str:
    """Lower-case `text` and fold every run of other characters to one `_`.

    Non-ASCII letters are dropped (`café` → `caf`), leading/trailing `_` are trimmed, and a name
    that would start with a digit gets a `_` prefix so it is a valid unquoted identifier.
    """
    folded = _NON_IDENT.sub("_", text.lower()).strip("_")
    if folded and folded[0].isdigit():
        folded = f"_{folded}"
    return folded


def short_hash(text: str, length: int = HASH_LENGTH) -> str:
    """A stable short hex digest of `text` (not for security: for collision-free suffixes)."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def fit_identifier(name: str, *, source: str | None = None) -> str:
    """Cut `name` to ≤ 63 bytes, ending it with `_<hash of source>` when it had to be cut."""
    if len(name.encode()) <= MAX_IDENTIFIER_BYTES:
        return name
    suffix = "_" + short_hash(source if source is not None else name)
    head = name.encode()[: MAX_IDENTIFIER_BYTES - len(suffix)].decode(errors="ignore")
    return head.rstrip("_") + suffix


def worktree_slug(label: str) -> str:
    """The `{worktree}` value for a branch or directory label (`feat/user-auth` → `feat_user_auth`).

    When sanitising loses more than case and separators (non-ASCII letters: `feat/café`), a
    short hash of the label is appended so `feat/café` and `feat/cafe` stay distinct.
    """
    slug = sanitize(label)
    if not label.isascii() or not slug:
        slug = f"{slug}_{short_hash(label, 6)}" if slug else "wt_" + short_hash(label)
    return slug


def check_template(template: str) -> None:
    """Raise `InvalidInput` if `template` uses a field other than project, worktree, branch."""
    for _, field_name, _, _ in string.Formatter().parse(template):
        if field_name is not None and field_name not in _TEMPLATE_FIELDS:
            raise InvalidInput(
                f"Unknown field {{{field_name}}} in name template {template!r}",
                hint="use {project}, {worktree} or {branch}",
            )


def database_name(template: str, *, project: str, label: str) -> str:
    """Render `template` for the worktree called `label` into a valid ≤ 63-byte identifier."""
    check_template(template)
    slug = worktree_slug(label)
    raw = template.format(project=sanitize(project), worktree=slug, branch=slug)
    name = sanitize(raw) or "db_" + short_hash(raw)
    return fit_identifier(
        name, source=template.format(project=project, worktree=label, branch=label)
    )


MAX_BRANCH_BYTES = 240
"""Branch names become directory names, and most filesystems stop at 255 bytes."""

_GIT_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


def check_branch_name(branch: str) -> None:
    """Reject a branch name git would refuse, with the rule it breaks (git check-ref-format).

    Slashes and unicode are fine (`feat/café`); spaces, control characters,
    `..`, `@{`, a leading `-`, a trailing `.lock` or `/`, and empty components are not.
    Quotes are allowed by git but refused here too: they break shells and `.env` files.
    """
    problems = []
    if not branch:
        problems.append("it is empty")
    if branch.startswith("-"):
        problems.append("it starts with '-'")
    if _GIT_REF_FORBIDDEN.search(branch):
        problems.append("it contains a space, a control character or one of ~ ^ : ? * [ \\")
    if "'" in branch or '"' in branch or "`" in branch:
        problems.append("it contains a quote")
    if ".." in branch:
        problems.append("it contains '..'")
    if "@{" in branch or branch == "@":
        problems.append("it contains '@{'")
    if branch.endswith((".lock", "/", ".")):
        problems.append("it ends with '.lock', '/' or '.'")
    if (
        "//" in branch
        or branch.startswith("/")
        or any(p.startswith(".") for p in branch.split("/"))
    ):
        problems.append("a part between slashes is empty or starts with '.'")
    if len(branch.encode()) > MAX_BRANCH_BYTES:
        problems.append(
            f"it is {len(branch.encode())} bytes long "
            f"(at most {MAX_BRANCH_BYTES}: it names a directory)"
        )
    if problems:
        raise InvalidInput(f"Invalid branch name {branch!r}: " + "; ".join(problems) + ".")
