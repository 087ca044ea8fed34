"""`wttui drift` with each tool's own listing, order and names (issue 12, items 3–9; issue 14,
item 7), on generated repositories shaped like the real ones: a Drizzle app under
`apps/api/drizzle` with a journal, one file outside it, a reused tag number and an older `when`;
a SQL folder where a branch reuses a version; Knex names of different lengths; a Prisma app and
the seed's "Known Schema Drift" table."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from tests.cli.test_cli import wttui
from tests.drift.test_analysis import branch
from tests.migrations.test_monorepo import Project, project
from tests.migrations.tools.test_drizzle import DRIZZLE_DDL, drizzle_journal, drizzle_row
from tests.repo_factory import git, write_files
from wttui.core.models import MigrationState
from wttui.drift.analysis import Collision
from wttui.migrations.tools.drizzle import drizzle_hash
from wttui.services import Services
from wttui.snapshot import read_view
from wttui.snapshot_reports import read_drift

__all__ = ["project"]

USERS = 'CREATE TABLE "users" ("id" serial PRIMARY KEY);\n'
MAIN_ENTRIES = [(1700000000000, "0000_users"), (1700000002000, "0001_orders")]


def drizzle_branch(
    root: Path, name: str, entries: list[tuple[int, str]], files: dict[str, str]
) -> None:
    """A branch of `main` adding journal entries and their files under apps/api/drizzle."""
    journal = {"apps/api/drizzle/meta/_journal.json": drizzle_journal([*MAIN_ENTRIES, *entries])}
    branch(root, name, {**journal, **{f"apps/api/drizzle/{k}": v for k, v in files.items()}})


def test_drizzle_drift_uses_the_journal_its_when_and_its_tags(project: Project) -> None:
    root = project.root
    write_files(
        root,
        {
            "apps/api/drizzle.config.ts": 'export default { out: "./drizzle" };\n',
            "apps/api/drizzle/0000_users.sql": USERS,
            "apps/api/drizzle/0001_orders.sql": 'CREATE TABLE "orders" ("id" int);\n',
            "apps/api/drizzle/0001_orders_draft.sql": "CREATE TABLE draft (id int);\n",
            "apps/api/drizzle/meta/_journal.json": drizzle_journal(MAIN_ENTRIES),
        },
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "drizzle app")
    fk = 'CREATE TABLE "{0}" ("user_id" int REFERENCES "users" ("id"));\n'
    drizzle_branch(
        root,
        "feat/a",
        [(1700000003000, "0002_invoices")],
        {"0002_invoices.sql": fk.format("invoices")},
    )
    drizzle_branch(
        root,
        "feat/b",
        [(1700000001000, "0002_refunds")],
        {"0002_refunds.sql": fk.format("refunds")},
    )
    drizzle_branch(
        root, "feat/c", [(1700000001500, "0003_late")], {"0003_late.sql": "CREATE TABLE late ();\n"}
    )
    git(root, "worktree", "add", "-q", str(root.parent / "feat-c"), "feat/c")
    with psycopg.connect(project.url, autocommit=True) as conn:  # main's two, and feat/b's
        conn.execute(DRIZZLE_DDL)
        for when, tag in MAIN_ENTRIES:
            drizzle_row(conn, when, drizzle_hash(root / f"apps/api/drizzle/{tag}.sql"))
        drizzle_row(conn, 1700000001000, "ab" * 32)

    report = read_drift(Services.from_path(root))
    assert report.tool == "drizzle"
    # the file outside the journal is no migration: no collision on 0001; the reused tag
    # number 0002 is one, and both migrations stay in every other section
    assert report.collisions == (
        Collision("0002", (("feat/a", "0002_invoices"), ("feat/b", "0002_refunds"))),
    )
    late = {(o.branch, o.label): o for o in report.out_of_order}
    assert set(late) == {("feat/b", "0002_refunds"), ("feat/c", "0003_late")}  # by `when`
    assert late["feat/b", "0002_refunds"].main_newest == "0001_orders"
    assert late["feat/b", "0002_refunds"].note.startswith("drizzle-kit 0.x silently never")
    assert report.merge_order == (
        ("feat/b", "0002_refunds"),
        ("feat/c", "0003_late"),
        ("feat/a", "0002_invoices"),
    )
    assert report.conflicts == ()  # both only reference users
    assert report.names == ()  # drizzle-kit's own tag names

    # the row feat/b applied is named by its tag (the table keeps only `when`)
    view = read_view(Services.from_path(root), "main")
    [elsewhere] = [m for m in view.migrations if m.state is MigrationState.APPLIED_ELSEWHERE]
    assert (elsewhere.version, elsewhere.name, elsewhere.found_in) == (
        "1700000001000",
        "0002_refunds",
        ("feat/b",),
    )
    pending = {r.label: r for r in report.not_everywhere if r.worktree == "feat/c"}
    assert pending["0003_late"].out_of_order
    assert "silently never applies" in (pending["0003_late"].note or "")

    data = json.loads(wttui(root, "drift", "--format", "json").stdout)
    rows = {(r["worktree"], r["label"]): r for r in data["not_everywhere"]}
    assert rows["feat/c", "0003_late"]["out_of_order"] is True
    assert rows["main", "0002_refunds"]["state"] == "applied_elsewhere"
    known = {m["label"]: m for m in data["migrations"]}
    assert known["0002_refunds"]["added"] == ["refunds"]
    assert known["0002_refunds"]["applied_in"] == [project.name]
    md = wttui(root, "drift").stdout
    assert (
        "| feat/b | `0002_refunds` | `0001_orders` | drizzle-kit 0.x silently never applies it"
        in md
    )


def test_a_reused_version_is_a_collision_and_still_new(repo: Path) -> None:
    """A branch adding `002_flags` where main has `002_create_orders` (wttui's runner)."""
    write_files(repo, {"migrations/003_create_items.sql": "CREATE TABLE items (id int);\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "003")
    branch(repo, "feat/flags", {"migrations/002_flags.sql": "ALTER TABLE users ADD flag bool;\n"})
    branch(repo, "feat/more", {"migrations/004_more.sql": "ALTER TABLE users ADD more int;\n"})
    report = read_drift(Services.from_path(repo))
    assert report.collisions == (
        Collision(
            "002",
            (
                ("feat/flags", "create_orders"),
                ("feat/flags", "flags"),
                ("feat/more", "create_orders"),
                ("main", "create_orders"),
            ),
        ),
    )
    assert [(o.branch, o.label) for o in report.out_of_order] == [("feat/flags", "002_flags")]
    assert report.merge_order == (("feat/flags", "002_flags"), ("feat/more", "004_more"))
    [conflict] = report.conflicts
    assert (conflict.branches, conflict.tables) == (("feat/flags", "feat/more"), ("users",))
    # wttui's runner refuses that folder as a whole: drift lists it file by file, and says so
    assert dict(report.problems)["feat/flags"].startswith(
        "002_create_orders.sql and 002_flags.sql share version 002"
    )


@pytest.mark.parametrize(
    ("tool", "files", "late"),
    [
        # Knex sorts file names as text: `2025101614_short.js` comes after the 14-digit one
        ("knex", {"knexfile.js": "module.exports = {};\n"}, False),
        # wttui's runner sorts versions as numbers: 2025101614 is far older
        ("sql", {}, True),
    ],
)
def test_versions_of_different_lengths_compare_as_the_tool_does(
    repo: Path, tool: str, files: dict[str, str], late: bool
) -> None:
    extension = ".js" if tool == "knex" else ".sql"
    body = "exports.up = () => {};\n" if tool == "knex" else "SELECT 1;\n"
    for old in (repo / "migrations").iterdir():
        old.unlink()
    write_files(repo, {**files, f"migrations/20251016140000_create_users{extension}": body})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", tool)
    branch(repo, "feat/short", {f"migrations/2025101614_short{extension}": body})
    report = read_drift(Services.from_path(repo))
    assert report.tool == tool
    assert bool(report.out_of_order) is late


PRISMA = {
    "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n}\n',
    "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
    "prisma/migrations/20251010000000_init/migration.sql": (
        "CREATE TABLE users (id int PRIMARY KEY);\nCREATE TABLE lectures (id int PRIMARY KEY);\n"
    ),
}


def prisma_migration(name: str, sql: str) -> dict[str, str]:
    return {f"prisma/migrations/{name}/migration.sql": sql}


@pytest.fixture
def prisma_repo(repo: Path) -> Path:
    """The seed's Americano: epic3 and epic4 add migrations main lacks."""
    for old in (repo / "migrations").iterdir():
        old.unlink()
    write_files(repo, PRISMA)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "prisma")
    branch(
        repo,
        "epic3",
        {
            **prisma_migration(
                "20251016164000_add_search_analytics_tracking",
                "CREATE TABLE search_analytics (id int, user_id int REFERENCES users (id));\n"
                "CREATE TABLE user_search_history (id int);\n",
            ),
            **prisma_migration(
                "20251016000000_create_vector_indexes",
                "CREATE INDEX lectures_vec ON lectures (id);\n",
            ),
        },
    )
    branch(
        repo,
        "epic4",
        {
            **prisma_migration(
                "20251016223131_add_validation_response_fields",
                "CREATE TABLE validation_responses (id int);\n",
            ),
            **prisma_migration("20251001000000_Bad-Name", "ALTER TABLE lectures ADD x int;\n"),
        },
    )
    return repo


def test_prisma_known_schema_drift_as_the_seed_writes_it(prisma_repo: Path) -> None:
    md = wttui(prisma_repo, "drift", "--since", "2025-10-16")
    assert md.returncode == 0, md.stderr
    text = md.stdout
    today = datetime.now(UTC).date().isoformat()
    assert f"## Known schema drift (as of {today}, since 2025-10-16)" in text
    assert "| migration | owner | status | tables added | tables changed |" in text
    assert (
        "| `20251016164000_add_search_analytics_tracking` | epic3 | not applied anywhere; no "
        "other branch changes its tables | search_analytics, user_search_history | – |"
    ) in text
    assert (
        "| `20251016000000_create_vector_indexes` | epic3 | not applied anywhere; ⚠ changes the "
        "same tables as epic4 | – | lectures |"
    ) in text
    assert "`20251016223131_add_validation_response_fields` | epic4 |" in text
    assert "20251001000000_Bad-Name` | epic4 |" not in text  # before --since
    assert "create_vector_indexes_create_vector_indexes" not in text  # names never doubled
    assert "| epic4 | `20251001000000_Bad-Name` | does not match ^\\d{14}_" in text

    everything = wttui(prisma_repo, "drift").stdout
    assert "20251001000000_Bad-Name` | epic4 |" in everything

    bad = wttui(prisma_repo, "drift", "--since", "last week")
    assert bad.returncode == 2
    assert bad.stderr.startswith("wttui: error: --since 'last week' is not a date")


def test_the_default_name_rule_follows_the_tool(repo: Path) -> None:
    """golang-migrate's `000001_create_users` and dbmate-style timestamps pass their tool's
    rule; a configured `name_pattern` still applies to every tool."""
    for old in (repo / "migrations").iterdir():
        old.unlink()
    write_files(
        repo,
        {
            "migrations/000001_create_users.up.sql": "CREATE TABLE users (id int);\n",
            "migrations/000001_create_users.down.sql": "DROP TABLE users;\n",
        },
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "golang-migrate")
    branch(
        repo,
        "feat/x",
        {
            "migrations/000002_add_orders.up.sql": "CREATE TABLE orders (id int);\n",
            "migrations/000002_add_orders.down.sql": "DROP TABLE orders;\n",
        },
    )
    report = read_drift(Services.from_path(repo))
    assert (report.tool, report.names) == ("golang-migrate", ())

    config = repo / ".wttui.toml"
    config.write_text(
        config.read_text() + '\n[migrations]\nname_pattern = "^\\\\d{14}_[a-z0-9_]+$"\n'
    )
    flagged = read_drift(Services.from_path(repo)).names
    assert [(w.label, w.reason) for w in flagged] == [
        ("000001_create_users", "does not match ^\\d{14}_[a-z0-9_]+$"),
        ("000002_add_orders", "does not match ^\\d{14}_[a-z0-9_]+$"),
    ]


def test_graph_tools_list_their_code_migrations_without_an_order_to_break(repo: Path) -> None:
    """Django: migrations read from each branch's tree (only what Django's loader reads),
    listed by app and name, not parsed (Python), never out of order by version."""
    for old in (repo / "migrations").iterdir():
        old.unlink()
    write_files(
        repo,
        {
            "manage.py": "import django\n",
            "src/shop/apps.py": "from django.apps import AppConfig\n",
            "src/shop/migrations/__init__.py": "",
            "src/shop/migrations/0001_initial.py": "operations = []\n",
            "src/shop/models.py": "# not read\n",
        },
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "django")
    branch(repo, "feat/a", {"src/shop/migrations/0002_add_price.py": "operations = []\n"})
    branch(repo, "feat/b", {"src/shop/migrations/0002_add_stock.py": "operations = []\n"})
    report = read_drift(Services.from_path(repo))
    assert (report.tool, report.graph) == ("django", True)
    assert [(m.label, m.branches, m.parsed) for m in report.migrations] == [
        ("shop.0002_add_price", ("feat/a",), False),
        ("shop.0002_add_stock", ("feat/b",), False),
    ]
    assert report.out_of_order == ()
    assert report.merge_order == ()
    md = wttui(repo, "drift").stdout
    assert "django orders migrations by its revision graph or plan, not by version." in md
