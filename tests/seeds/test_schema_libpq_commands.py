"""Seed 1's "Schema Isolation" with libpq tools, beyond `exec`: every command wttui runs against
a schema-strategy worktree's database — `wttui test`'s command against its throwaway schema,
the `[seeds] command` — gets what `exec` gives it: libpq's variables (`psql` needs no
arguments), `PGOPTIONS=-c search_path=<schema>`, and for a libpq client the URL in libpq's form
(`psql "$DATABASE_URL"` rejects Prisma's `?schema=`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.cli.conftest import wttui
from tests.repo_factory import git, make_repo
from wttui.providers.postgres import PostgresProvider
from wttui.services import Services

SEED = (
    'psql -X -w -v ON_ERROR_STOP=1 "$DATABASE_URL" '
    "-c \"INSERT INTO users (email) VALUES ('url@x')\" && "
    "psql -X -w -v ON_ERROR_STOP=1 -c \"INSERT INTO users (email) VALUES ('env@x')\""
)


@pytest.fixture
def schema_repo(tmp_path: Path, pg: PostgresProvider, pg_admin_url: str) -> Iterator[Path]:
    root = make_repo(tmp_path, pg_admin_url, extra_config='strategy = "schema"\n')
    done = wttui(root, "create", "feat/s")
    assert done.returncode == 0, done.stderr
    yield root
    pg.drop_database(root.name, force=True)


def tables(conninfo: str) -> set[str]:
    with psycopg.connect(conninfo) as conn:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        return {row[0] for row in conn.execute(query)}


def test_wttui_tests_command_reaches_its_throwaway_schema_with_libpq_tools(
    schema_repo: Path,
) -> None:
    target = Services.from_path(schema_repo).context_of("feat/s").target
    worktree = Path(wttui(schema_repo, "pick", "feat/s").stdout.strip())
    pending = (
        "-- migrate:up\nCREATE TABLE refunds (id int);\n-- migrate:down\nDROP TABLE refunds;\n"
    )
    (worktree / "migrations" / "003_create_refunds.sql").write_text(pending)
    script = (
        'psql -X -w -At "$DATABASE_URL" -c "show search_path" && '
        "psql -X -w -At -c 'select current_schema()' && "
        "psql -X -w -At -c 'select count(*) from users, refunds'"
    )
    done = wttui(schema_repo, "test", "feat/s", "--", "sh", "-c", script)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    assert lines[lines.index("feat__s_test") :][:3] == ["feat__s_test", "feat__s_test", "0"]
    assert "invalid URI query parameter" not in done.stdout + done.stderr
    # The copy was migrated, not the worktree's own schema: 003 is still pending there.
    assert tables(target.connect_url) == {"users", "orders", "wttui_schema_migrations"}


def test_the_seed_command_can_use_psql(schema_repo: Path) -> None:
    config = schema_repo / ".wttui.toml"
    config.write_text(config.read_text() + f"\n[seeds]\ncommand = '''{SEED}'''\n")
    git(schema_repo, "commit", "-qam", "a psql seed command")
    done = wttui(schema_repo, "seed", "feat/s", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    target = Services.from_path(schema_repo).context_of("feat/s").target
    with psycopg.connect(target.connect_url) as conn:
        emails = [row[0] for row in conn.execute("SELECT email FROM users ORDER BY id")]
    assert emails == ["url@x", "env@x"]  # in the worktree's schema, both ways
