"""Fixtures for the migration tests: a fresh database on the session's test server."""

from __future__ import annotations

import pytest

from wttui.providers.postgres import PostgresProvider


@pytest.fixture
def url(pg: PostgresProvider, fresh_db_name: str) -> str:
    """The URL of a new empty database, dropped after the test."""
    pg.create_database(fresh_db_name)
    return pg.url_for(fresh_db_name)
