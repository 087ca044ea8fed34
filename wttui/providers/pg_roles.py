"""Login roles for worktrees, on any server wttui has an admin URL for.

Worktrees must never hold superuser credentials: a superuser can run programs on the server's
machine (`COPY … TO PROGRAM`). So a project's worktrees connect as a role of their own, made
here with LOGIN, NOSUPERUSER, NOCREATEROLE and CREATEDB only where asked, and a generated
password that wttui keeps in its data directory (0600) and hands out only inside URLs.

The password reaches the server as a SCRAM verifier computed on the client (libpq's
`PQencryptPasswordConn`), so the plain password never travels or lands in a server log. A role
wttui made carries a comment saying so; a role it did not make, or a superuser, is never
changed.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from wttui.core.naming import MAX_IDENTIFIER_BYTES
from wttui.errors import DatabaseError, InvalidInput, Refused
from wttui.providers.postgres import PostgresProvider
from wttui.providers.private_files import write_private

MARK = "wttui: login role for worktrees"
"""The comment on roles wttui made (and may therefore change)."""

_ROLE = """
SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,
       shobj_description(r.oid, 'pg_authid')
  FROM pg_roles r WHERE r.rolname = %s
"""
_CONNINFO_KEYS_IN_URL = ("user", "password", "dbname", "host", "port")


def password_file(directory: Path, role: str) -> Path:
    """Where the password of `role` is kept under `directory` (role names may hold any
    character, so the file name is percent-encoded)."""
    return directory / (quote(role, safe="") + ".password")


def server_key(admin_url: str) -> str:
    """A file-name-safe name for the server of `admin_url` (`db.internal-5432`), under which
    the passwords of the roles made on it are kept."""
    params = conninfo_to_dict(admin_url)
    host = str(params.get("host") or "localhost")
    port = str(params.get("port") or "5432")
    return quote(f"{host}-{port}", safe="")


def _password(path: Path) -> tuple[str, bool]:
    """The stored password, generating and storing one (0600) if there is none; and whether
    it is new."""
    try:
        existing = path.read_text().strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing, False
    generated = secrets.token_urlsafe(24)
    if write_private(path, generated + "\n", exclusive=True):
        return generated, True
    return path.read_text().strip(), False  # another process stored one first


def role_url(admin_url: str, role: str, password: str, dbname: str) -> str:
    """A URL for `role` on the server of `admin_url` (same host, port and options)."""
    params = conninfo_to_dict(admin_url)
    host = str(params.get("host") or "localhost")
    port = str(params.get("port") or "5432")
    query = {k: str(v) for k, v in params.items() if k not in _CONNINFO_KEYS_IN_URL}
    if host.startswith("/"):  # a Unix socket directory goes in the query string
        query["host"] = host
        host = ""
    elif ":" in host:
        host = f"[{host}]"
    auth = f"{quote(role, safe='')}:{quote(password, safe='')}@"
    url = f"postgresql://{auth}{host}:{port}/{quote(dbname, safe='')}"
    return url + ("?" + urlencode(query) if query else "")


def _verifier(conn: psycopg.Connection[Any], role: str, password: str) -> str:
    return conn.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()


def _logs_in(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=5):
            return True
    except psycopg.OperationalError as exc:
        # Only a wrong password means the stored one is stale; anything else (no CONNECT
        # privilege on the database, pg_hba) is not for wttui to fix here.
        return "password authentication failed" not in str(exc)


def ensure_login_role(
    admin_url: str,
    role: str,
    *,
    password_path: Path | None = None,
    password: str = "",
    createdb: bool = False,
    dbname: str = "postgres",
) -> str:
    """Make sure `role` exists as a login role wttui manages, with the password stored at
    `password_path` (generated on first use) or, without one, `password` (a container keeps
    its role's password in its own environment); return its URL to `dbname`.

    Idempotent: a second call with the same arguments changes nothing on the server.

    Raises:
        InvalidInput: `role` is empty, too long or a reserved name (`pg_…`).
        Refused: `role` exists and is a superuser, or exists and wttui did not make it.
        DatabaseUnavailable, DatabaseError: the server cannot be reached or refused a change.
    """
    if not role or len(role.encode()) > MAX_IDENTIFIER_BYTES:
        raise InvalidInput(f"Role name {role!r} must be 1 to {MAX_IDENTIFIER_BYTES} bytes long")
    if role.startswith("pg_"):
        raise InvalidInput(f"Role name {role!r} is reserved by PostgreSQL (pg_…)")
    if password_path is not None:
        password, new = _password(password_path)
    elif password:
        new = False  # checked below: set again when it does not log in
    else:
        raise InvalidInput(f"Role {role!r} needs a password")
    url = role_url(admin_url, role, password, dbname)
    admin = PostgresProvider(admin_url)
    with admin.connect(autocommit=True) as conn:
        row = conn.execute(_ROLE, (role,)).fetchone()
        ident = sql.Identifier(role)
        createdb_sql = sql.SQL("CREATEDB" if createdb else "NOCREATEDB")
        if row is None:
            try:
                conn.execute(
                    sql.SQL(
                        "CREATE ROLE {} WITH LOGIN NOSUPERUSER NOCREATEROLE {} PASSWORD {}"
                    ).format(ident, createdb_sql, sql.Literal(_verifier(conn, role, password)))
                )
            except psycopg.errors.DuplicateObject:
                pass  # made by a concurrent call; the checks below apply to it
            else:
                conn.execute(sql.SQL("COMMENT ON ROLE {} IS {}").format(ident, sql.Literal(MARK)))
                return url
            row = conn.execute(_ROLE, (role,)).fetchone()
        if row is None:  # dropped between the two reads
            raise DatabaseError(f"Role {role!r} disappeared while wttui was making it")
        superuser, createrole, can_createdb, login, comment = row
        if superuser:
            raise Refused(
                f"Role {role!r} is a superuser; worktrees never connect as one",
                hint="choose another role name",
            )
        if comment != MARK:
            raise Refused(
                f"Role {role!r} exists and was not made by wttui, so wttui will not change it",
                hint="choose another role name, or drop that role",
            )
        if createrole or can_createdb != createdb or not login:
            conn.execute(
                sql.SQL("ALTER ROLE {} WITH LOGIN NOSUPERUSER NOCREATEROLE {}").format(
                    ident, createdb_sql
                )
            )
        admin_db = str(conninfo_to_dict(admin_url).get("dbname") or "postgres")
        if new or not _logs_in(role_url(admin_url, role, password, admin_db)):
            conn.execute(
                sql.SQL("ALTER ROLE {} WITH PASSWORD {}").format(
                    ident, sql.Literal(_verifier(conn, role, password))
                )
            )
    return url
