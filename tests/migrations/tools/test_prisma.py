"""Prisma, read from `_prisma_migrations` exactly as Prisma writes it, and the seed's scenario:
three worktrees sharing one database, migrations applied from a branch the others don't have."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.repo_factory import git, write_files
from wttui.core.models import MigrationState
from wttui.migrations.runner import Runner
from wttui.migrations.tools.prisma import PrismaAdapter
from wttui.providers.postgres import PostgresProvider
from wttui.services import Services
from wttui.snapshot import read_view

# prisma-engines, sql-schema-connector/src/flavour/postgres.rs
DDL = """
CREATE TABLE "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)
"""


def migration(name: str, table: str) -> dict[str, str]:
    return {f"prisma/migrations/{name}/migration.sql": f"CREATE TABLE {table} (id int);\n"}


def record(
    url: str, name: str, sql_text: str, *, finished: bool = True, logs: str | None = None
) -> None:
    """A row as `prisma migrate deploy` leaves it (or, unfinished, as a failed one does)."""
    checksum = hashlib.sha256(sql_text.encode()).hexdigest()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs,"
            " applied_steps_count) VALUES (%s, %s, CASE WHEN %s THEN now() END, %s, %s, %s)",
            (str(uuid.uuid4()), checksum, finished, name, logs, 1 if finished else 0),
        )


NAMES = [
    f"2025010{d}{h:02d}0000_step_{i}"
    for i, (d, h) in enumerate([(1, h) for h in range(10, 24)] + [(2, h) for h in range(10, 15)])
]
"""19 migrations in name order: 14 on main (and epic5), 5 more on epic3 only."""


@pytest.fixture
def seed_repo(tmp_path: Path, pg: PostgresProvider) -> Iterator[Services]:
    root = tmp_path / "app"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    project = f"p{uuid.uuid4().hex[:10]}"
    files = {
        ".wttui.toml": (
            f'[project]\nname = "{project}"\n[database]\nstrategy = "shared"\n'
            f'url = "{pg.admin_url}"\n'
        ),
        "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n}\n',
        "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
    }
    for i, name in enumerate(NAMES[:14]):
        files.update(migration(name, f"t{i}"))
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "14 migrations")
    git(root, "worktree", "add", "-q", "-b", "epic5", str(tmp_path / "epic5"))
    git(root, "worktree", "add", "-q", "-b", "epic3", str(tmp_path / "epic3"))
    epic3 = tmp_path / "epic3"
    extra: dict[str, str] = {}
    for i, name in enumerate(NAMES[14:], start=14):
        extra.update(migration(name, f"t{i}"))
    write_files(epic3, extra)
    git(epic3, "add", "-A")
    git(epic3, "commit", "-q", "-m", "5 more")
    pg.create_database(project)
    url = pg.url_for(project)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(DDL)
    for i, name in enumerate(NAMES):
        record(url, name, f"CREATE TABLE t{i} (id int);\n")
    yield Services.from_path(root)
    pg.drop_database(project, force=True)


def test_seed_scenario_applied_elsewhere_modified_and_failed(
    seed_repo: Services, tmp_path: Path
) -> None:
    services = seed_repo
    epic5 = read_view(services, "epic5")
    assert epic5.target is not None
    assert epic5.target.shared
    states = {m.version: m for m in epic5.migrations}
    assert len(states) == 19
    elsewhere = [m for m in epic5.migrations if m.state is MigrationState.APPLIED_ELSEWHERE]
    assert [m.version for m in elsewhere] == NAMES[14:]
    assert all(m.found_in == ("epic3",) for m in elsewhere)  # each named with its owner
    assert epic5.counts.applied == 14

    # The same five are plain applied in epic3, which has them.
    assert read_view(services, "epic3").counts.applied == 19

    # An applied file edited afterwards: Prisma's own checksum says so.
    edited = tmp_path / "epic5" / "prisma/migrations" / NAMES[3] / "migration.sql"
    edited.write_text("CREATE TABLE t3 (id bigint);\n")
    assert states[NAMES[3]].state is MigrationState.APPLIED
    assert {m.version: m.state for m in read_view(services, "epic5").migrations}[NAMES[3]] is (
        MigrationState.MODIFIED
    )

    # A failed deploy: the row without finished_at, its logs shown.
    failed_name = "20250103100000_broken"
    write_files(tmp_path / "epic5", migration(failed_name, "broken"))
    assert epic5.target is not None
    record(
        epic5.target.url,
        failed_name,
        "CREATE TABLE broken (id int);\n",
        finished=False,
        logs='ERROR: relation "nope" does not exist',
    )
    failed = {m.version: m for m in read_view(services, "epic5").migrations}[failed_name]
    assert failed.state is MigrationState.FAILED
    assert failed.error == 'ERROR: relation "nope" does not exist'


def test_branch_without_a_worktree_is_named_too(seed_repo: Services, tmp_path: Path) -> None:
    services = seed_repo
    git(services.root, "worktree", "remove", str(tmp_path / "epic3"))
    elsewhere = [
        m
        for m in read_view(services, "epic5").migrations
        if m.state is MigrationState.APPLIED_ELSEWHERE
    ]
    assert len(elsewhere) == 5
    assert all(m.found_in == ("epic3",) for m in elsewhere)  # read through git, not checked out


def test_checksums_tolerate_line_endings_and_legacy_hex(tmp_path: Path) -> None:
    adapter = PrismaAdapter()
    folder = tmp_path / "prisma/migrations"
    (folder / "20250101000000_x").mkdir(parents=True)
    script = folder / "20250101000000_x" / "migration.sql"
    script.write_bytes(b"CREATE TABLE x (id int);\r\nSELECT 1;\r\n")
    local = adapter.local(folder)[0]
    lf = hashlib.sha256(b"CREATE TABLE x (id int);\nSELECT 1;\n").digest()
    assert adapter.same_checksum(local, lf.hex())  # recorded on a machine with LF files
    assert adapter.same_checksum(local, "".join(format(b, "x") for b in lf))  # legacy rows
    assert not adapter.same_checksum(local, hashlib.sha256(b"other").hexdigest())


def test_no_table_means_nothing_applied_and_rollback_is_refused(
    tmp_path: Path, pg: PostgresProvider, fresh_db_name: str
) -> None:
    pg.create_database(fresh_db_name)
    folder = tmp_path / "prisma/migrations"
    write_files(tmp_path, migration("20250101000000_a", "a"))
    runner = Runner(PrismaAdapter(), folder)
    statuses = runner.status(pg.url_for(fresh_db_name))
    assert [s.state for s in statuses] == [MigrationState.PENDING]
    assert not runner.can_rollback
    with psycopg.connect(pg.url_for(fresh_db_name)) as conn:
        found = conn.execute("SELECT to_regclass('_prisma_migrations')").fetchone()
    assert found == (None,)  # reading status created nothing


def test_detects_prisma_layouts(tmp_path: Path) -> None:
    adapter = PrismaAdapter()
    assert not adapter.detect(tmp_path)
    write_files(tmp_path, {"prisma/schema.prisma": "datasource db {}\n"})
    assert adapter.detect(tmp_path)
