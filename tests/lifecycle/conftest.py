"""Fixtures for the database lifecycle: repositories on the real test server, built with the
config a test needs, their databases (and wttui's own for them) dropped afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import drop_project_databases
from tests.repo_factory import git, make_repo, write_files
from wttui.core.urls import with_database
from wttui.services import Services

MakeRepo = Callable[..., Services]


@pytest.fixture
def lc_repo(tmp_path: Path, pg_admin_url: str) -> Iterator[MakeRepo]:
    """`lc_repo(config="", migrations=None, files=None)`: a repository and its services."""
    made: list[str] = []

    def build(
        config: str = "",
        migrations: dict[str, str] | None = None,
        files: dict[str, str] | None = None,
    ) -> Services:
        root = make_repo(tmp_path / f"r{len(made)}", pg_admin_url, migrations=migrations)
        if config or files:
            toml = root / ".wttui.toml"
            toml.write_text(toml.read_text() + "\n" + config)
            write_files(root, files or {})
            git(root, "add", "-A")
            git(root, "commit", "-q", "-m", "config")
        made.append(root.name)
        return Services.from_path(root)

    yield build
    for project in made:
        drop_project_databases(pg_admin_url, project)


def rows(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return [tuple(row) for row in conn.execute(query).fetchall()]


def db_url(admin_url: str, name: str) -> str:
    return with_database(admin_url, name)


def many_migrations(count: int, start: int = 1) -> dict[str, str]:
    """`count` realistic migrations: a table, an index, a few rows each."""
    files = {}
    for n in range(start, start + count):
        files[f"{n:04d}_table_{n}.sql"] = (
            f"-- migrate:up\nCREATE TABLE t{n} (id serial PRIMARY KEY, label text NOT NULL, "
            f"created timestamptz DEFAULT now());\nCREATE INDEX t{n}_label ON t{n} (label);\n"
            f"INSERT INTO t{n} (label) SELECT 'row ' || g FROM generate_series(1, 5) g;\n"
            f"-- migrate:down\nDROP TABLE t{n};\n"
        )
    return files
