"""Shared fixtures: a real PostgreSQL cluster for the session, a git identity, and the rule
that a missing component skips on a developer machine but fails under CI=true."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from psycopg import sql

from tests.repo_factory import make_repo
from wttui.errors import ServerSetupError
from wttui.providers.local_cluster import LocalCluster
from wttui.providers.postgres import PostgresProvider


def require_component(name: str, reason: str) -> NoReturn:
    """Fail under CI=true, skip elsewhere: CI must never pass by skipping what it should test."""
    message = f"{name} is required: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session", autouse=True)
def git_identity(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A git identity and an empty global config, so the user's own config never leaks in."""
    home = tmp_path_factory.mktemp("gitconfig")
    config = home / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n")
    values = {
        "GIT_AUTHOR_NAME": "wttui tests",
        "GIT_AUTHOR_EMAIL": "tests@wttui.invalid",
        "GIT_COMMITTER_NAME": "wttui tests",
        "GIT_COMMITTER_EMAIL": "tests@wttui.invalid",
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
        "XDG_CONFIG_HOME": str(home / "xdg"),
    }
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session", autouse=True)
def lifecycle_isolation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No background template builds (a test builds templates itself when it means to), and
    the trash index and snapshots in a session folder rather than the user's data directory."""
    values = {"WTTUI_NO_BACKGROUND": "1"}
    if not os.environ.get("WTTUI_DATA_DIR"):
        values["WTTUI_DATA_DIR"] = str(tmp_path_factory.mktemp("wttui-data"))
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    yield
    if "WTTUI_DATA_DIR" in values:  # a test that started the embedded default here
        LocalCluster(Path(values["WTTUI_DATA_DIR"])).destroy()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(autouse=True)
def no_cluster_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every embedded cluster a test started below its `tmp_path` is stopped and deleted after
    it. As root the server's files live outside the data directory (`/var/lib/wttui/clusters`,
    see `LocalCluster.cluster_dir`): pytest's clean-up of old temporary directories never
    reaches them, and a day of test runs left gigabytes of stopped clusters there."""
    base: Path | None = None
    if "tmp_path" in request.fixturenames:
        base = request.getfixturevalue("tmp_path")
    yield
    if base is not None:
        for data in cluster_data_dirs(base):
            LocalCluster(data).destroy()


def cluster_data_dirs(base: Path) -> list[Path]:
    """wttui data directories below `base` that hold an embedded cluster's metadata."""
    found = []
    for top, dirs, files in os.walk(base):
        if "cluster.json" in files:
            found.append(Path(top))
        dirs[:] = [d for d in dirs if d not in (".git", "node_modules", "cluster", "pgdata")]
    return found


def drop_project_databases(admin_url: str, project: str) -> None:
    """Drop the project's databases and wttui's own for it (templates, trash, snapshots, work
    databases: their names hold the project's)."""
    provider = PostgresProvider(admin_url)
    with provider.connect(autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname, datistemplate OR NOT datallowconn FROM pg_database "
            "WHERE datname LIKE %s OR datname LIKE %s",
            (project + "\\_%", "wttui\\_%" + project + "%"),
        ).fetchall()
        for name, frozen in rows:
            if frozen:
                conn.execute(
                    sql.SQL(
                        "ALTER DATABASE {} WITH IS_TEMPLATE false ALLOW_CONNECTIONS true"
                    ).format(sql.Identifier(name))
                )
    for name, _ in rows:
        provider.drop_database(str(name), force=True)


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """A real embedded cluster for the whole session (one per xdist worker)."""
    cluster = LocalCluster(tmp_path_factory.mktemp("pgdata") / "data")
    try:
        cluster.ensure_running()
    except ServerSetupError as exc:
        require_component("PostgreSQL", str(exc))
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="session")
def pg_admin_url(pg_cluster: LocalCluster) -> str:
    return pg_cluster.ensure_running()


@pytest.fixture(scope="session")
def pg(pg_admin_url: str) -> PostgresProvider:
    return PostgresProvider(pg_admin_url)


@pytest.fixture
def fresh_db_name(pg: PostgresProvider) -> Iterator[str]:
    """A unique database name, dropped (sessions ended) after the test."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield name
    pg.drop_database(name, force=True)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private WTTUI_DATA_DIR for tests that start their own embedded cluster."""
    path = tmp_path / "wttui-data"
    monkeypatch.setenv("WTTUI_DATA_DIR", str(path))
    return path


@pytest.fixture
def repo(tmp_path: Path, pg_admin_url: str) -> Iterator[Path]:
    root = make_repo(tmp_path, pg_admin_url)
    yield root
    drop_project_databases(pg_admin_url, root.name)
