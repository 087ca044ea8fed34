"""Fixtures for action tests: a real repository on the real test server, cleaned up after."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.repo_factory import make_repo
from wttui.core.logsink import CancelToken, ListSink
from wttui.providers.postgres import PostgresProvider
from wttui.services import Services


@pytest.fixture
def repo(tmp_path: Path, pg_admin_url: str) -> Iterator[Path]:
    root = make_repo(tmp_path, pg_admin_url)
    yield root
    provider = PostgresProvider(pg_admin_url)
    for info in provider.list_databases():
        if info.name.startswith(root.name + "_"):
            provider.drop_database(info.name, force=True)


@pytest.fixture
def services(repo: Path) -> Services:
    return Services.from_path(repo)


@pytest.fixture
def sink() -> ListSink:
    return ListSink()


@pytest.fixture
def cancel() -> CancelToken:
    return CancelToken()
