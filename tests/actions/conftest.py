"""Fixtures for action tests: a real repository on the real test server, cleaned up after."""

from __future__ import annotations

from pathlib import Path

import pytest

from wttui.core.logsink import CancelToken, ListSink
from wttui.services import Services


@pytest.fixture
def services(repo: Path) -> Services:
    return Services.from_path(repo)


@pytest.fixture
def sink() -> ListSink:
    return ListSink()


@pytest.fixture
def cancel() -> CancelToken:
    return CancelToken()
