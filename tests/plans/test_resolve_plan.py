"""`wttui resolve` through the real CLI: refusals before any question (and no change), the
plan it shows (the database, what the tool will believe, its command or the rows), and the
built-in runner's marks as `migrate` then reads them."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from tests import steps
from tests.cli.conftest import on_terminal, wttui
from tests.plans import test_refusals
from tests.plans.test_refusals import Refusal
from tests.repo_factory import write_files
from wttui.providers.postgres import PostgresProvider
from wttui.services import Services

refused = test_refusals.refused
"""The refusal check of `test_refusals`: exit 4, the sentence, nothing asked, nothing changed."""

FAILING = "-- migrate:up\nCREATE TABLE flag (id int);\nSELECT 1/0;\n"


def counts(root: Path, branch: str) -> dict[str, int]:
    done = wttui(root, "status", "--json")
    assert done.returncode == 0, done.stderr
    found: dict[str, int] = next(
        w["migrations"] for w in json.loads(done.stdout) if w["branch"] == branch
    )
    return found


def test_nothing_to_mark_and_unknown_names_are_refused_unasked(
    repo: Path, refused: Refusal
) -> None:
    steps.create(Services.from_path(repo), "main")
    refused(repo, ["resolve", "main", "001", "--applied"], "001_create_users is already applied")
    write_files(repo, {"migrations/003_flag.sql": "SELECT 1;\n"})
    refused(repo, ["resolve", "main", "003", "--rolled-back"], "003_flag is not applied")
    code, output = on_terminal(repo, "resolve", "main", "009", "--applied")
    assert code == 2, output
    assert "No migration '009'" in output


def test_a_failed_migration_marked_rolled_back_runs_again(repo: Path) -> None:
    view = steps.create(Services.from_path(repo), "main")
    assert view.target is not None
    write_files(repo, {"migrations/003_flag.sql": FAILING})
    assert wttui(repo, "migrate", "main").returncode == 1
    assert counts(repo, "main")["failed"] == 1

    dry = wttui(repo, "resolve", "main", "003_flag.sql", "--rolled-back", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"database   {view.target.label} on" in dry.stdout
    assert "now        failed" in dry.stdout
    assert "writes     wttui_schema_migrations: row 003 deleted" in dry.stdout
    assert "afterwards wttui's runner will count 003_flag as not applied" in dry.stdout
    assert f"confirm    Mark 003_flag rolled back in database {view.target.label}" in dry.stdout
    assert counts(repo, "main")["failed"] == 1  # a dry run changes nothing

    code, output = on_terminal(repo, "resolve", "main", "003", "--rolled-back", answer="y")
    assert code == 0, output
    assert counts(repo, "main")["pending"] == 1
    write_files(repo, {"migrations/003_flag.sql": "CREATE TABLE flag (id int);\n"})
    assert wttui(repo, "migrate", "main").returncode == 0
    assert counts(repo, "main")["applied"] == 3


def test_marked_applied_never_runs(repo: Path) -> None:
    view = steps.create(Services.from_path(repo), "main")
    assert view.target is not None
    write_files(repo, {"migrations/003_flag.sql": "CREATE TABLE flag (id int);\n"})
    done = wttui(repo, "resolve", "main", "003", "--applied")
    assert done.returncode == 4  # no terminal and no --yes: not confirmed, nothing changed
    assert counts(repo, "main")["pending"] == 1
    assert wttui(repo, "resolve", "main", "003", "--applied", "--yes").returncode == 0
    assert wttui(repo, "migrate", "main").returncode == 0
    with psycopg.connect(view.target.url) as conn:
        row = conn.execute("SELECT to_regclass('flag')").fetchone()
        who = conn.execute(
            "SELECT status, applied_by_branch FROM wttui_schema_migrations WHERE version = '003'"
        ).fetchone()
    assert row == (None,)  # it never ran
    assert who == ("applied", "main")


def test_a_tool_that_cannot_is_refused_with_its_reason(
    repo: Path, refused: Refusal, pg: PostgresProvider
) -> None:
    """Prisma marks only failed migrations rolled back (P3012): refused before anything; a
    failed one gets Prisma's own command."""
    write_files(
        repo,
        {
            ".wttui.toml": (repo / ".wttui.toml").read_text() + '\n[migrations]\ntool = "prisma"\n',
            "prisma/migrations/20250101000000_init/migration.sql": "CREATE TABLE t (id int);\n",
            "prisma/migrations/20250102000000_more/migration.sql": "CREATE TABLE u (id int);\n",
        },
    )
    target = Services.from_path(repo).context_of("main").target
    pg.create_database(target.name)
    with psycopg.connect(target.url, autocommit=True) as conn:
        conn.execute(PRISMA_DDL)
        conn.execute(
            "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name) "
            "VALUES ('1', 'x', now(), '20250101000000_init'), "
            "('2', 'y', NULL, '20250102000000_more')"
        )
    refused(
        repo,
        ["resolve", "main", "20250101000000_init", "--rolled-back"],
        "Prisma marks only a failed migration rolled back",
    )
    dry = wttui(repo, "resolve", "main", "20250102000000_more", "--rolled-back", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "command    npx prisma migrate resolve --rolled-back 20250102000000_more" in dry.stdout
    assert "Prisma will count the failed 20250102000000_more as rolled back" in dry.stdout


PRISMA_DDL = (
    'CREATE TABLE "_prisma_migrations" (id VARCHAR(36) PRIMARY KEY NOT NULL, '
    "checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ, migration_name VARCHAR(255) "
    "NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL "
    "DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0)"
)
