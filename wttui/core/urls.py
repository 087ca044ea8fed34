"""Connection URLs: build them from parts, check them, and mask their passwords for display.

A password never reaches a screen or a log: everything shown goes through `mask_url`, and
`mask_secrets` scrubs free text (tool output, error messages, `.env` lines) in every form a
password takes: a URL's `user:password@`, libpq's `password=…` (quoted or not), and environment
assignments such as `PGPASSWORD=…`. Masking errs towards hiding too much.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

MASK = "***"
_URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^:/?#@\s]*:)(\S*)(@)", re.IGNORECASE)
"""`scheme://user:` … `@`: greedy to the last `@` of the word, so an unencoded `@` or `/` in a
password is masked too."""
_KV_PASSWORD = re.compile(
    r"""(password["']?\s*(?:=|:(?=[\s"']))\s*)('(?:\\.|[^'\\])*'?|"(?:\\.|[^"\\])*"?|[^\s&]+)""",
    re.IGNORECASE,
)
"""`password=…`, `PGPASSWORD=…`, `DB_PASSWORD: …`, `"password": "…"`, `?password=…&`."""
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")

LIBPQ_PARAMETERS = frozenset(
    [
        "application_name",
        "channel_binding",
        "client_encoding",
        "connect_timeout",
        "dbname",
        "fallback_application_name",
        "gssdelegation",
        "gssencmode",
        "gsslib",
        "host",
        "hostaddr",
        "keepalives",
        "keepalives_count",
        "keepalives_idle",
        "keepalives_interval",
        "krbsrvname",
        "load_balance_hosts",
        "max_protocol_version",
        "min_protocol_version",
        "oauth_client_id",
        "oauth_client_secret",
        "oauth_issuer",
        "oauth_scope",
        "options",
        "passfile",
        "password",
        "port",
        "replication",
        "require_auth",
        "requiressl",
        "requirepeer",
        "scram_client_key",
        "scram_server_key",
        "service",
        "ssl_max_protocol_version",
        "ssl_min_protocol_version",
        "sslcert",
        "sslcertmode",
        "sslcompression",
        "sslcrl",
        "sslcrldir",
        "sslkey",
        "sslkeylogfile",
        "sslmode",
        "sslnegotiation",
        "sslpassword",
        "sslrootcert",
        "sslsni",
        "target_session_attrs",
        "tcp_user_timeout",
        "user",
    ]
)
"""Parameters libpq accepts in a URL's query string (a test keeps this in step with libpq)."""


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


def url_problem(url: str) -> str | None:
    """Why libpq would reject the `postgresql://` URL `url`, in words that never quote its
    password; None when it is fine.

    Checked: the scheme, `%` escapes, the port (a number in 1-65535, per host) and the query
    parameters (libpq's own only).
    """
    if not url.startswith(("postgresql://", "postgres://")):
        return "must start with postgresql://"
    if any(ch.isspace() for ch in url):
        return "contains whitespace"
    parts = urlsplit(url)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    if _BAD_ESCAPE.search(userinfo):
        return "the user or password has a '%' that is not followed by two hex digits"
    for where, text in (("host", hostport), ("database name", parts.path), ("query", parts.query)):
        if _BAD_ESCAPE.search(text):
            return f"the {where} has a '%' that is not followed by two hex digits"
    for host in hostport.split(","):
        port = host.rpartition("]")[2] if host.startswith("[") else host
        if ":" not in port:
            continue
        digits = port.rpartition(":")[2]
        if digits and not digits.isdigit():
            return f"port {digits!r} is not a number"
        if digits and not 1 <= int(digits) <= 65535:
            return f"port {digits} is out of range (1-65535)"
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        if name not in LIBPQ_PARAMETERS:
            return f"unknown connection parameter {name!r} in the query string"
    return None


def with_database(url: str, dbname: str) -> str:
    """`url` pointing at another database on the same server (query string kept)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(dbname, safe="")))


def with_query(url: str, **params: str) -> str:
    """`url` with query parameters set (others kept): `?schema=…`, `?options=…`."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True)) | params
    return urlunsplit(parts._replace(query=urlencode(query)))


def mask_url(url: str) -> str:
    """`url` (or a keyword DSN) with the password replaced by `***` (unchanged when it has
    none)."""
    return mask_secrets(url)


def mask_secrets(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Mask URL passwords, `password=…`-style pairs and each literal secret (as written and
    percent-encoded) in free text."""
    text = _URL_PASSWORD.sub(rf"\g<1>{MASK}\g<3>", text)
    text = _KV_PASSWORD.sub(rf"\g<1>{MASK}", text)
    for secret in secrets:
        if secret:
            for form in {secret, quote(secret, safe="")}:
                text = text.replace(form, MASK)
    return text


def server_label(url: str) -> str:
    """`host:port` of a URL, for headers and status lines."""
    parts = urlsplit(url)
    try:
        port = parts.port or 5432
    except ValueError:
        port = 5432
    return f"{parts.hostname or 'localhost'}:{port}"


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
        "schema": dict(parse_qsl(parts.query)).get("schema", ""),
    }


def url_secrets(url: str) -> tuple[str, ...]:
    """The literal secrets in a URL (its password), for `mask_secrets`."""
    password = url_parts(url)["password"]
    return (password,) if password else ()
