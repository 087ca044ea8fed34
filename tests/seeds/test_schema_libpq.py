"""Seed 1's "Schema Isolation" with libpq tools: `DATABASE_URL=…/myapp?schema=x` is Prisma's
form, and `psql "$DATABASE_URL"` rejects it. `[env.keys]` gets `{libpq_url}` and `{pgoptions}`
so a project can write both forms, and `wttui exec` gives libpq clients `PGOPTIONS=-c
search_path=<schema>` and, where it sees one run, the URL in libpq's form."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import wttui
from tests.repo_factory import make_repo
from wttui.core.urls import url_parts
from wttui.providers.envfile import read_env
from wttui.providers.postgres import PostgresProvider

SCHEMA_CONFIG = """strategy = "schema"
[env.keys]
PG_URL = "{libpq_url}"
DB_OPTIONS = "{pgoptions}"
DB_SCHEMA = "{schema}"
"""


@pytest.fixture
def schema_repo(tmp_path: Path, pg: PostgresProvider, pg_admin_url: str) -> Iterator[Path]:
    root = make_repo(tmp_path, pg_admin_url, extra_config=SCHEMA_CONFIG)
    yield root
    pg.drop_database(root.name, force=True)


def psql(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["psql", "-X", "-w", "-At", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


@pytest.fixture
def worktree(schema_repo: Path) -> Path:
    done = wttui(schema_repo, "create", "feat/s")
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip().splitlines()[-1])


def test_env_file_has_both_forms(worktree: Path) -> None:
    env = read_env(worktree / ".env")
    assert env["DATABASE_URL"].endswith("?schema=feat__s")  # Prisma's form, as before
    assert env["DB_SCHEMA"] == "feat__s"
    assert env["DB_OPTIONS"] == "-c search_path=feat__s"

    rejected = psql(env["DATABASE_URL"], "-c", "show search_path")
    assert rejected.returncode != 0
    assert 'invalid URI query parameter: "schema"' in rejected.stderr  # the seed's failure

    accepted = psql(env["PG_URL"], "-c", "show search_path")
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.strip() == "feat__s"
    # The options form works through PGOPTIONS too, with any URL to the database.
    plain = env["PG_URL"].split("?")[0]
    through = psql(plain, "-c", "show search_path", env={"PGOPTIONS": env["DB_OPTIONS"]})
    assert through.stdout.strip() == "feat__s", through.stderr


def test_exec_psql_shows_the_worktrees_schema(schema_repo: Path, worktree: Path) -> None:
    env = read_env(worktree / ".env")
    parts = url_parts(env["DATABASE_URL"])
    # Whoever connects psql (the caller's PG* variables here), wttui's PGOPTIONS puts it in the
    # worktree's schema.
    caller = {
        "PGHOST": parts["host"],
        "PGPORT": parts["port"],
        "PGUSER": parts["user"],
        "PGPASSWORD": parts["password"],
        "PGDATABASE": parts["database"],
    }
    done = wttui(
        schema_repo,
        "exec",
        "feat/s",
        "--",
        "psql",
        "-X",
        "-At",
        "-c",
        "show search_path",
        env=caller,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "feat__s"

    # A caller's own options are kept beside the search path.
    with_timeout = {**caller, "PGOPTIONS": "-c statement_timeout=4321"}
    done = wttui(
        schema_repo,
        "exec",
        "feat/s",
        "--",
        "psql",
        "-X",
        "-At",
        "-c",
        "show statement_timeout",
        "-c",
        "show search_path",
        env=with_timeout,
    )
    assert done.stdout.split() == ["4321ms", "feat__s"], done.stderr


def test_exec_gives_psql_a_url_it_accepts_and_prisma_its_own(
    schema_repo: Path, worktree: Path
) -> None:
    script = 'psql -X -w -At "$DATABASE_URL" -c "show search_path"'
    done = wttui(schema_repo, "exec", "feat/s", "--", "sh", "-c", script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "feat__s"

    # A command that is no libpq client (or runs Prisma) gets the .env's form unchanged.
    echo = wttui(schema_repo, "exec", "feat/s", "--", "sh", "-c", 'echo "$DATABASE_URL"')
    assert echo.stdout.strip() == read_env(worktree / ".env")["DATABASE_URL"]
    prisma = wttui(
        schema_repo, "exec", "feat/s", "--dry-run", "--", "sh", "-c", "npx prisma db pull; psql"
    )
    assert "libpq's form" not in prisma.stdout

    dry = wttui(schema_repo, "exec", "feat/s", "--dry-run", "--", "psql")
    assert "libpq      PGOPTIONS=-c search_path=feat__s" in dry.stdout
    assert "DATABASE_URL in libpq's form" in dry.stdout
    assert url_parts(read_env(worktree / ".env")["DATABASE_URL"])["password"] not in dry.stdout


def test_no_schema_no_options(repo: Path) -> None:
    """The other strategies' URLs are libpq's already: `{libpq_url}` is `{url}`."""
    (repo / ".wttui.toml").write_text(
        (repo / ".wttui.toml").read_text()
        + '[env.keys]\nPG_URL = "{libpq_url}"\nO = "{pgoptions}"\n'
    )
    done = wttui(repo, "create", "feat/d")
    assert done.returncode == 0, done.stderr
    env = read_env(Path(done.stdout.strip().splitlines()[-1]) / ".env")
    assert env["PG_URL"] == env["DATABASE_URL"]
    assert env["O"] == ""
    run = wttui(repo, "exec", "feat/d", "--", "sh", "-c", 'echo "[${PGOPTIONS-unset}]"')
    assert run.stdout.strip() == "[unset]"
