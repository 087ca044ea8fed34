"""Connection URLs: build them from parts and mask their passwords for display.

A password never reaches a screen or a log: everything shown goes through `mask_url`, and
`mask_secrets` scrubs free text (tool output, error messages) that may quote a URL.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit, urlunsplit

MASK = "***"
_URL_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@\s]*:)([^@\s]*)(@)")
_KV_PASSWORD = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


def build_url(
    *, host: str, port: int, dbname: str, user: str | None = None, password: str | None = None
) -> str:
    """A `postgresql://` URL with every part percent-encoded."""
    auth = ""
    if user:
        auth = quote(user, safe="")
        if password:
            auth += ":" + quote(password, safe="")
        auth += "@"
    return f"postgresql://{auth}{host}:{port}/{quote(dbname, safe='')}"


def with_database(url: str, dbname: str) -> str:
    """`url` pointing at another database on the same server (query string kept)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(dbname, safe="")))


def with_query(url: str, **params: str) -> str:
    """`url` with query parameters set (others kept): `?schema=…`, `?options=…`."""
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()} | params
    return urlunsplit(parts._replace(query=urlencode(query)))


def mask_url(url: str) -> str:
    """`url` with the password replaced by `***` (unchanged when it has none)."""
    return _URL_PASSWORD.sub(rf"\g<1>{MASK}\g<3>", url)


def mask_secrets(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Mask URL passwords, `password=…` pairs and each literal secret in free text."""
    text = _URL_PASSWORD.sub(rf"\g<1>{MASK}\g<3>", text)
    text = _KV_PASSWORD.sub(rf"\g<1>{MASK}", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def server_label(url: str) -> str:
    """`host:port` of a URL, for headers and status lines."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}"


def url_parts(url: str) -> dict[str, str]:
    """Decoded `host`, `port`, `user`, `password`, `database`, `schema` (`?schema=`, Prisma's
    form) of a URL ('' where absent).

    A malformed URL (a bad port) gives empty parts rather than an error: env files hold
    whatever users typed.
    """
    parts = urlsplit(url)
    try:
        port = str(parts.port or 5432)
    except ValueError:
        return dict.fromkeys(("host", "port", "user", "password", "database", "schema"), "")
    return {
        "host": parts.hostname or "",
        "port": port,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "database": unquote(parts.path.lstrip("/")),
        "schema": parse_qs(parts.query).get("schema", [""])[0],
    }


def url_secrets(url: str) -> tuple[str, ...]:
    """The literal secrets in a URL (its password), for `mask_secrets`."""
    password = url_parts(url)["password"]
    return (password,) if password else ()
