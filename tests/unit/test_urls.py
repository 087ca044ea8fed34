"""Passwords never reach a screen: URLs and free text are masked."""

from __future__ import annotations

from wttui.core.urls import build_url, mask_secrets, mask_url, url_parts, with_database


def test_build_url_encodes_every_part() -> None:
    url = build_url(host="127.0.0.1", port=5433, dbname="my db", user="app", password="p@ss/w:d")
    assert url == "postgresql://app:p%40ss%2Fw%3Ad@127.0.0.1:5433/my%20db"
    assert url_parts(url)["password"] == "p@ss/w:d"
    assert url_parts(url)["database"] == "my db"


def test_mask_url_hides_the_password_only() -> None:
    assert mask_url("postgresql://app:s3cret@h:5432/db") == "postgresql://app:***@h:5432/db"
    assert mask_url("postgresql://app@h:5432/db") == "postgresql://app@h:5432/db"


def test_mask_secrets_scrubs_urls_pairs_and_literals() -> None:
    text = "connect postgresql://u:pw1@h/db password=pw2 and token pw3"
    masked = mask_secrets(text, ("pw3",))
    assert "pw1" not in masked
    assert "pw2" not in masked
    assert "pw3" not in masked


def test_with_database_keeps_credentials_and_query() -> None:
    url = with_database("postgresql://u:p@h:1/postgres?sslmode=disable", "myapp_main")
    assert url == "postgresql://u:p@h:1/myapp_main?sslmode=disable"


def test_url_parts_of_garbage_is_empty_not_an_error() -> None:
    assert url_parts("postgresql://h:notaport/db")["host"] == ""
