"""Login roles for worktrees (issue 13 item 1), on a server given by its admin URL: what an
external server gets; the embedded cluster's `ensure_role` is in test_local_cluster.py."""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from wttui.errors import InvalidInput, Refused
from wttui.providers.pg_roles import MARK, ensure_login_role, password_file


@pytest.fixture
def role(pg_admin_url: str) -> Iterator[str]:
    name = f"wt_role_{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def attributes(admin_url: str, role: str) -> tuple[object, ...] | None:
    with psycopg.connect(admin_url) as conn:
        return conn.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolpassword"
            "  FROM pg_authid WHERE rolname = %s",
            (role,),
        ).fetchone()


def test_a_new_role_logs_in_with_its_own_password_and_no_power(
    pg_admin_url: str, role: str, tmp_path: Path
) -> None:
    secrets = tmp_path / "roles"
    url = ensure_login_role(pg_admin_url, role, password_path=password_file(secrets, role))
    stored = password_file(secrets, role)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700
    assert f"{role}:{stored.read_text().strip()}@" in url
    assert url.endswith("/postgres")
    row = attributes(pg_admin_url, role)
    assert row is not None
    assert row[:4] == (False, False, False, True)
    assert str(row[4]).startswith("SCRAM-SHA-256$")
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in (
            "CREATE ROLE sneaky",
            "CREATE DATABASE sneaky",
            "COPY (SELECT 1) TO PROGRAM 'true'",
            "ALTER ROLE postgres PASSWORD 'x'",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_ensuring_again_changes_nothing(pg_admin_url: str, role: str, tmp_path: Path) -> None:
    path = password_file(tmp_path, role)
    first = ensure_login_role(pg_admin_url, role, password_path=path, createdb=True)
    before = attributes(pg_admin_url, role)
    assert before is not None
    assert before[2] is True
    second = ensure_login_role(pg_admin_url, role, password_path=path, createdb=True)
    assert second == first
    assert attributes(pg_admin_url, role) == before  # same verifier: no ALTER ROLE ran
    third = ensure_login_role(pg_admin_url, role, password_path=path, dbname="app_db")
    assert third.endswith("/app_db")
    after = attributes(pg_admin_url, role)
    assert after is not None
    assert after[2] is False


def test_a_lost_password_file_gets_a_new_working_password(
    pg_admin_url: str, role: str, tmp_path: Path
) -> None:
    path = password_file(tmp_path, role)
    old = ensure_login_role(pg_admin_url, role, password_path=path)
    path.unlink()
    new = ensure_login_role(pg_admin_url, role, password_path=path)
    assert new != old
    with psycopg.connect(new) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (role,)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(old)


def test_roles_wttui_did_not_make_are_left_alone(
    pg_admin_url: str, role: str, tmp_path: Path
) -> None:
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'theirs'").format(sql.Identifier(role)))
    before = attributes(pg_admin_url, role)
    with pytest.raises(Refused, match="was not made by wttui"):
        ensure_login_role(pg_admin_url, role, password_path=password_file(tmp_path, role))
    assert attributes(pg_admin_url, role) == before
    with pytest.raises(Refused, match="is a superuser"):
        ensure_login_role(pg_admin_url, "postgres", password_path=tmp_path / "pg")
    with pytest.raises(InvalidInput, match="reserved"):
        ensure_login_role(pg_admin_url, "pg_monitor", password_path=tmp_path / "m")


def test_a_name_sql_would_trip_on_is_just_a_name(pg_admin_url: str, tmp_path: Path) -> None:
    name = 'we"ird; DROP ROLE x --'
    try:
        url = ensure_login_role(pg_admin_url, name, password_path=password_file(tmp_path, name))
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_user").fetchone() == (name,)
        with psycopg.connect(pg_admin_url) as conn:
            comment = conn.execute(
                "SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = %s",
                (name,),
            ).fetchone()
        assert comment == (MARK,)
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def test_a_configured_server_keeps_role_passwords_per_server(
    pg_admin_url: str, role: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wttui.core.urls import url_parts
    from wttui.providers.server import Server

    monkeypatch.setenv("WTTUI_DATA_DIR", str(tmp_path / "data"))
    url = Server(pg_admin_url).role_url(role, dbname="shop_main")
    port = url_parts(pg_admin_url)["port"]
    stored = tmp_path / "data" / "roles" / f"127.0.0.1-{port}" / f"{role}.password"
    assert f":{stored.read_text().strip()}@127.0.0.1:{port}/shop_main" in url
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


def test_hand_over_gives_the_role_everything_the_admin_made_but_extensions(
    pg_admin_url: str, role: str, tmp_path: Path, fresh_db_name: str
) -> None:
    """A database the admin filled (a copy made before copies were handed over) becomes the
    role's whole: it can then change every table, type and routine in it, as after a replay."""
    from wttui.core.urls import with_database
    from wttui.providers.pg_owners import hand_over
    from wttui.providers.postgres import PostgresProvider

    url = ensure_login_role(pg_admin_url, role, password_path=password_file(tmp_path, role))
    provider = PostgresProvider(pg_admin_url)
    provider.create_database(fresh_db_name)
    with psycopg.connect(with_database(pg_admin_url, fresh_db_name), autocommit=True) as conn:
        for statement in (
            "CREATE EXTENSION citext",
            "CREATE SCHEMA app",
            "CREATE TYPE app.mood AS ENUM ('ok')",
            "CREATE DOMAIN email AS citext CHECK (VALUE LIKE '%@%')",
            "CREATE TYPE pair AS (a int, b int)",
            "CREATE TABLE app.people (id serial PRIMARY KEY, mood app.mood, mail email)",
            "CREATE FUNCTION app.twice(int) RETURNS int LANGUAGE sql AS 'SELECT $1 * 2'",
            "CREATE FUNCTION app.twice(text) RETURNS text LANGUAGE sql AS 'SELECT $1 || $1'",
            "CREATE PROCEDURE touch() LANGUAGE sql AS 'SELECT 1'",
            "CREATE AGGREGATE total(int) (SFUNC = int4pl, STYPE = int)",
        ):
            conn.execute(statement)
    assert hand_over(provider, fresh_db_name, role, None) == 10
    assert hand_over(provider, fresh_db_name, role, None) == 0  # nothing left to hand over
    with psycopg.connect(with_database(url, fresh_db_name), autocommit=True) as conn:
        for statement in (
            "ALTER TYPE app.mood ADD VALUE 'sad'",
            "ALTER DOMAIN email DROP CONSTRAINT email_check",
            "ALTER TYPE pair ADD ATTRIBUTE c int",
            "ALTER TABLE app.people ADD COLUMN note text",
            "CREATE OR REPLACE FUNCTION app.twice(int) RETURNS int LANGUAGE sql AS 'SELECT 2 * $1'",
            "DROP FUNCTION app.twice(text)",
            "DROP PROCEDURE touch()",
            "DROP AGGREGATE total(int)",
            "CREATE TABLE public.mine (id int)",
            "CREATE TABLE app.mine (id int)",
        ):
            conn.execute(statement)
        extension = conn.execute(
            "SELECT pg_get_userbyid(typowner) FROM pg_type WHERE typname = 'citext'"
        ).fetchone()
    assert extension != (role,)  # an extension's own objects stay the extension's
