"""Passwords never reach a screen: URLs, DSNs and env lines are masked; bad URLs are named
without quoting the password."""

from __future__ import annotations

import pytest

from wttui.core.urls import (
    LIBPQ_PARAMETERS,
    build_url,
    mask_secrets,
    mask_url,
    url_parts,
    url_problem,
    with_database,
)


def test_build_url_encodes_every_part() -> None:
    url = build_url(host="127.0.0.1", port=5433, dbname="my db", user="app", password="p@ss/w:d")
    assert url == "postgresql://app:p%40ss%2Fw%3Ad@127.0.0.1:5433/my%20db"
    assert url_parts(url)["password"] == "p@ss/w:d"
    assert url_parts(url)["database"] == "my db"


def test_mask_url_hides_the_password_only() -> None:
    assert mask_url("postgresql://app:s3cret@h:5432/db") == "postgresql://app:***@h:5432/db"
    assert mask_url("postgresql://app@h:5432/db") == "postgresql://app@h:5432/db"


@pytest.mark.parametrize(
    "text",
    [
        "connect postgresql://u:pw1@h/db now",
        "postgresql://u:p@w1@h/db",  # an unencoded @ in the password
        "postgres://u:pa/w1@h/db",  # an unencoded / in the password
        "redis://:pw1@cache:6379/0",
        "host=h dbname=d password=pw1 user=u",
        "host=h password = 'pw1 with spaces' user=u",
        "PGPASSWORD=pw1",
        "export PGPASSWORD='pw1'",
        "DB_PASSWORD: pw1",
        '{"password": "pw1"}',
        "postgresql://u@h/db?sslmode=disable&password=pw1&x=y",
    ],
)
def test_every_password_form_is_masked(text: str) -> None:
    assert "pw1" not in mask_secrets(text)
    assert "pw1" not in mask_url(text)


def test_literal_secrets_are_masked_as_written_and_percent_encoded() -> None:
    masked = mask_secrets("token p@ss and p%40ss", ("p@ss",))
    assert "p@ss" not in masked
    assert "p%40ss" not in masked
    assert "password authentication failed" in mask_secrets("password authentication failed")


def test_with_database_keeps_credentials_and_query() -> None:
    url = with_database("postgresql://u:p@h:1/postgres?sslmode=disable", "myapp_main")
    assert url == "postgresql://u:p@h:1/myapp_main?sslmode=disable"


def test_url_parts_of_garbage_is_empty_not_an_error() -> None:
    assert url_parts("postgresql://h:notaport/db")["host"] == ""


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mysql://u:pw@h/db", "must start with postgresql://"),
        ("postgresql://u:pw@h:99999/db", "out of range"),
        ("postgresql://u:pw@h:0/db", "out of range"),
        ("postgresql://u:pw@h:54x2/db", "not a number"),
        ("postgresql://u:p%zzw@h/db", "password has a '%'"),
        ("postgresql://u:pw@h/d%b", "database name has a '%'"),
        ("postgresql://u:pw@h/db?nope=1", "unknown connection parameter 'nope'"),
        ("postgresql://u:pw@h/db ", "whitespace"),
    ],
)
def test_url_problems_are_named_without_the_password(url: str, reason: str) -> None:
    problem = url_problem(url)
    assert problem is not None
    assert reason in problem
    assert "pw" not in problem
    assert "zz" not in problem


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:pw@127.0.0.1:5432/postgres",
        "postgres://h/db?sslmode=disable&application_name=x",
        "postgresql:///db?host=/run/postgresql&port=5433",
        "postgresql://[::1]:5433/db",
        "postgresql://h1:5432,h2:5433/db",
    ],
)
def test_good_urls_have_no_problem(url: str) -> None:
    assert url_problem(url) is None


def test_url_problem_agrees_with_libpq() -> None:
    """Every parameter libpq knows is accepted, and what url_problem accepts libpq parses."""
    from psycopg import pq
    from psycopg.conninfo import conninfo_to_dict

    known = {item.keyword.decode() for item in pq.Conninfo.get_defaults()}
    assert known <= LIBPQ_PARAMETERS
    for url in ("postgresql://u:p%41@h:1/db?sslmode=disable", "postgresql:///db?host=/tmp"):
        assert url_problem(url) is None
        conninfo_to_dict(url)
