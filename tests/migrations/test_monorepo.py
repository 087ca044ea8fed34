"""Issue 12 item 1 end to end, through the real CLI and the app: a Prisma app under
`packages/prisma` with 160 applied migrations is read as Prisma (not "0 applied, 0 pending"
by the SQL runner), the deciding file is named in `status --json` and the Migrations pane, and a
database holding a state table no detected tool reads says so — read-only."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.app.conftest import loaded, wait_until
from tests.cli.test_cli import wttui
from tests.migrations.test_detection import prisma_app
from tests.repo_factory import git, write_files
from tests.state import fingerprint
from wttui.providers.postgres import PostgresProvider
from wttui.services import Services
from wttui.ui.app import make_app
from wttui.ui.panes.migrations import MigrationsPane

PRISMA_DDL = """
CREATE TABLE "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)
"""


@dataclass(frozen=True)
class Project:
    root: Path
    name: str
    url: str
    admin_url: str

    def config(self, migrations: str = "") -> None:
        (self.root / ".wttui.toml").write_text(
            f'[project]\nname = "{self.name}"\n[database]\nstrategy = "shared"\n'
            f'url = "{self.admin_url}"\n' + (f"[migrations]\n{migrations}" if migrations else "")
        )


@pytest.fixture
def project(tmp_path: Path, pg: PostgresProvider) -> Iterator[Project]:
    """A repository whose worktrees share the database `name` (as seed 2's team does)."""
    root = tmp_path / "app"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    name = f"p{uuid.uuid4().hex[:10]}"
    pg.create_database(name)
    found = Project(root, name, pg.url_for(name), pg.admin_url)
    found.config()
    write_files(root, {".gitignore": ".env\n.wttui.toml\n", "README.md": "an app\n"})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    yield found
    pg.drop_database(name, force=True)


def prisma_rows(url: str, folder: Path) -> int:
    """`_prisma_migrations` as `prisma migrate deploy` leaves it for every folder."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(PRISMA_DDL)
        names = sorted(p.name for p in folder.iterdir() if p.is_dir())
        for name in names:
            checksum = hashlib.sha256((folder / name / "migration.sql").read_bytes()).hexdigest()
            conn.execute(
                "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name,"
                " applied_steps_count) VALUES (%s, %s, now(), %s, 1)",
                (str(uuid.uuid4()), checksum, name),
            )
    return len(names)


def status(root: Path, *args: str) -> dict[str, object]:
    done = wttui(root, "status", "--json", *args)
    assert done.returncode == 0, done.stderr
    [main] = json.loads(done.stdout)
    return main["migrations"]  # type: ignore[no-any-return]


def test_prisma_under_packages_is_read_as_prisma(project: Project) -> None:
    root = project.root
    prisma_app(root, "packages/prisma", count=160)
    assert prisma_rows(project.url, root / "packages/prisma/migrations") == 160
    project.config('dir = "packages/prisma/migrations"\n')

    found = status(root, "--migrations")
    listed = found.pop("list")
    assert found == {
        "tool": "prisma",
        "detected_by": "packages/prisma/migrations/migration_lock.toml",
        "folder": str(root / "packages/prisma/migrations"),
        "applied": 160,
        "pending": 0,
        "applied_elsewhere": 0,
        "modified": 0,
        "failed": 0,
        "out_of_order": 0,
        "warnings": [],
    }
    assert isinstance(listed, list)
    assert len(listed) == 160
    first = listed[0]
    assert first["identity"] == "20250101120000_step_0"
    assert first["name"] == "20250101120000_step_0"  # the folder, not doubled
    assert (first["state"], first["out_of_order"], first["owner"]) == ("applied", False, None)
    assert first["applied_at"] is not None

    project.config()  # no `dir`: found below packages/
    found = status(root)
    assert (found["tool"], found["detected_by"], found["applied"]) == (
        "prisma",
        "packages/prisma/schema.prisma",
        160,
    )


def test_a_state_table_no_detected_tool_reads_is_reported_read_only(project: Project) -> None:
    root = project.root
    source = prisma_app(root.parent / "elsewhere", "prisma", count=163)
    assert prisma_rows(project.url, source / "prisma/migrations") == 163
    before = fingerprint(root, project.admin_url, project.name)

    found = status(root)
    assert (found["tool"], found["applied"], found["pending"]) == ("sql", 0, 0)
    [warning] = found["warnings"]  # type: ignore[misc]
    assert warning["kind"] == "untracked_state_table"
    assert warning["message"] == (
        "The database holds `_prisma_migrations` (the state table of prisma, 163 rows), but this "
        "worktree's migrations are read as sql's (no tool's files were found in this "
        "worktree): the counts shown say nothing about those migrations"
    )
    assert warning["hint"].startswith("if this worktree uses prisma, set [migrations] tool =")

    table = wttui(root, "status")
    assert "0 applied, ⚠ 1 warning" in table.stdout
    assert "⚠ main: The database holds `_prisma_migrations`" in table.stdout
    assert fingerprint(root, project.admin_url, project.name) == before  # nothing written


async def test_the_pane_says_which_file_decided_and_what_the_counts_hide(
    project: Project,
) -> None:
    root = project.root
    prisma_app(root, "packages/prisma", count=3)
    prisma_rows(project.url, root / "packages/prisma/migrations")
    app = make_app(Services.from_path(root))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        pane = app.query_one(MigrationsPane)
        await wait_until(pilot, lambda: bool(pane.table.row_count), what="the migrations")
        notes = pane.query_one("#migration-notes")

        def shown() -> str:
            return str(notes.render()) if notes.display else ""

        assert shown() == "prisma · packages/prisma/schema.prisma"
        detail = str(pane.query_one("#migration-detail").render())
        assert detail.startswith("20250101120000_step_0/\n")  # the folder, not migration.sql

        with psycopg.connect(project.url, autocommit=True) as conn:
            conn.execute("CREATE TABLE schema_migrations (version varchar PRIMARY KEY)")
        await pilot.press("R")
        await wait_until(pilot, lambda: shown().startswith("⚠"), what="the warning")
        assert shown() == "⚠ unread `schema_migrations` (0 rows) of dbmate, golang-migrate or rails"
        assert pane.border_subtitle == "main ✓3 ⚠ · prisma"
