"""The PostgreSQL provider against a real server."""

from __future__ import annotations

import psycopg
import pytest

from wttui.errors import DatabaseError, DatabaseInUse, DatabaseUnavailable, InvalidInput
from wttui.providers.postgres import PostgresProvider


def test_create_list_and_drop(pg: PostgresProvider, fresh_db_name: str) -> None:
    pg.create_database(fresh_db_name)
    info = pg.get_database(fresh_db_name)
    assert info is not None
    assert info.size_bytes is not None
    assert info.size_bytes > 1_000_000
    assert info.connections == 0
    assert pg.drop_database(fresh_db_name) is True
    assert not pg.database_exists(fresh_db_name)
    assert pg.drop_database(fresh_db_name) is False


def test_connection_count_follows_open_sessions(pg: PostgresProvider, fresh_db_name: str) -> None:
    pg.create_database(fresh_db_name)
    with psycopg.connect(pg.url_for(fresh_db_name), application_name="myapp-dev"):
        info = pg.get_database(fresh_db_name)
        assert info is not None
        assert info.connections == 1
        assert [s.application for s in pg.sessions(fresh_db_name)] == ["myapp-dev"]


def test_create_from_template_copies_tables(pg: PostgresProvider, fresh_db_name: str) -> None:
    pg.create_database(fresh_db_name)
    with psycopg.connect(pg.url_for(fresh_db_name), autocommit=True) as conn:
        conn.execute("CREATE TABLE copied (id int)")
    copy = fresh_db_name + "_copy"
    try:
        pg.create_database(copy, template=fresh_db_name)
        with psycopg.connect(pg.url_for(copy)) as conn:
            assert conn.execute("SELECT count(*) FROM copied").fetchone() == (0,)
    finally:
        pg.drop_database(copy, force=True)


def test_template_in_use_is_named(pg: PostgresProvider, fresh_db_name: str) -> None:
    pg.create_database(fresh_db_name)
    with psycopg.connect(pg.url_for(fresh_db_name)), pytest.raises(DatabaseInUse) as info:
        pg.create_database(fresh_db_name + "_x", template=fresh_db_name)
    assert f"Template database {fresh_db_name} has 1 open session" in info.value.message
    assert not pg.database_exists(fresh_db_name + "_x")


def test_duplicate_and_too_long_names(pg: PostgresProvider, fresh_db_name: str) -> None:
    pg.create_database(fresh_db_name)
    with pytest.raises(DatabaseError, match="already exists"):
        pg.create_database(fresh_db_name)
    with pytest.raises(InvalidInput, match="64 bytes"):
        pg.create_database("x" * 64)
    with pytest.raises(InvalidInput, match="bytes"):
        pg.create_database("é" * 32)  # 32 characters, 64 bytes
    assert not pg.database_exists("x" * 63)


def test_busy_database_is_refused_unless_forced(pg: PostgresProvider, fresh_db_name: str) -> None:
    pg.create_database(fresh_db_name)
    session = psycopg.connect(pg.url_for(fresh_db_name), application_name="psql")
    try:
        with pytest.raises(DatabaseInUse, match=r"1 open session\(s\) \(psql\)"):
            pg.drop_database(fresh_db_name)
        assert pg.database_exists(fresh_db_name)
        assert pg.drop_database(fresh_db_name, force=True)
        assert not pg.database_exists(fresh_db_name)
        with pytest.raises(psycopg.OperationalError):
            session.execute("SELECT 1")
    finally:
        session.close()


@pytest.mark.parametrize("name", ["My DB", "quote'in\"name", "café_ünïcode", "drop table x;--"])
def test_names_needing_quotes_work_end_to_end(pg: PostgresProvider, name: str) -> None:
    try:
        pg.create_database(name)
        assert pg.database_exists(name)
        assert name in [info.name for info in pg.list_databases()]
        with psycopg.connect(pg.url_for(name)) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == (name,)
    finally:
        pg.drop_database(name, force=True)
    assert not pg.database_exists(name)


def test_server_down_names_host_not_password() -> None:
    provider = PostgresProvider("postgresql://postgres:hunter2@127.0.0.1:1/postgres")
    with pytest.raises(DatabaseUnavailable) as info:
        provider.list_databases()
    assert info.value.message == ("Cannot connect to PostgreSQL at 127.0.0.1:1: connection refused")
    assert "hunter2" not in str(info.value)


def test_wrong_password_is_unavailable_without_the_password(pg_admin_url: str) -> None:
    bad = pg_admin_url.replace("postgres:", "postgres:wr0ngpass", 1).split("@")[0]
    bad = bad.split(":wr0ngpass")[0] + ":wr0ngpass@" + pg_admin_url.split("@", 1)[1]
    with pytest.raises(DatabaseUnavailable, match="password authentication failed") as info:
        PostgresProvider(bad).ping()
    assert "wr0ngpass" not in str(info.value)
