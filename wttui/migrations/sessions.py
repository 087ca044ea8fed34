"""Read-only sessions: what a status read connects with, so it cannot write even by mistake."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from psycopg.conninfo import conninfo_to_dict, make_conninfo

_READ_ONLY = "-cdefault_transaction_read_only=on"


def read_only(conninfo: str) -> str:
    """`conninfo` (a URL or `key=value` pairs) opening read-only sessions: every transaction
    defaults to READ ONLY, so a read cannot write even by mistake. Its own `options` (the
    schema strategy's `-csearch_path=…`) are kept."""
    if conninfo.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(conninfo)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        query["options"] = " ".join(filter(None, (query.get("options", ""), _READ_ONLY)))
        # `quote`, not urlencode's default `quote_plus`: libpq reads `+` as a plus sign.
        return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))
    options = str(conninfo_to_dict(conninfo).get("options") or "")
    return make_conninfo(conninfo, options=" ".join(filter(None, (options, _READ_ONLY))))
