"""Fixtures for the fault tests (see `scene.py`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.private_docker import PrivateDockerd
from tests.faults.scene import Scene
from tests.repo_factory import make_repo
from wttui.providers.postgres import PostgresProvider


@pytest.fixture
def scene(tmp_path: Path, pg_admin_url: str, pg: PostgresProvider) -> Iterator[Scene]:
    root = make_repo(tmp_path, pg_admin_url)
    yield Scene(tmp_path, root, pg_admin_url)
    for info in pg.list_databases():
        if info.name == root.name or info.name.startswith(root.name + "_"):
            pg.drop_database(info.name, force=True)


@pytest.fixture(scope="session")
def private_dockerd() -> Iterator[PrivateDockerd]:
    """A Docker engine of this test session's own (see `private_docker.py`), never the shared
    one: tests kill it."""
    engine = PrivateDockerd(os.environ.get("WTTUI_TEST_IMAGE", "wttui-test-postgres:15"))
    yield engine
    engine.close()
