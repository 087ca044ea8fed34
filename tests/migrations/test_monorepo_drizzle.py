"""A Drizzle app under `apps/api/drizzle` (a journal, and one file outside it) driven through the
real `wttui` and the real `drizzle-kit` (issue 12, items 1, 2 and 6): found below the top, its
command run where its config is, the stray file ignored as Drizzle ignores it, and an entry
merged in with an older `when` — which drizzle-kit silently skips — makes `wttui migrate` fail
and say which, why and what to do, instead of "No pending migrations"."""

from __future__ import annotations

import json

from tests.cli.test_cli import wttui
from tests.migrations.test_monorepo import Project, project, status
from tests.migrations.tools.conftest import npm_tools
from tests.migrations.tools.test_drizzle import (
    DRIZZLE_CONFIG,
    DRIZZLE_PACKAGES,
    drizzle_journal,
    drizzle_sql,
)
from tests.repo_factory import tables, write_files

__all__ = ["project"]

ENTRIES = [(1700000000000, "0000_users"), (1700000002000, "0001_orders")]


def test_drizzle_in_apps_api_through_wttui_and_drizzle_kit(project: Project) -> None:
    root = project.root
    api = root / "apps/api"
    write_files(
        root,
        {
            "apps/api/drizzle.config.ts": DRIZZLE_CONFIG,
            "apps/api/drizzle/0000_users.sql": drizzle_sql("users"),
            "apps/api/drizzle/0001_orders.sql": drizzle_sql("orders"),
            # a leftover Drizzle never runs (not in the journal), sharing 0001 with a real one
            "apps/api/drizzle/0001_orders_draft.sql": "CREATE TABLE draft (id int);\n",
            "apps/api/drizzle/meta/_journal.json": drizzle_journal(ENTRIES),
        },
    )
    (api / "node_modules").symlink_to(npm_tools(*DRIZZLE_PACKAGES))

    migrated = wttui(root, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert f"Running npx drizzle-kit migrate in {api}" in migrated.stderr
    assert "2 migration(s) applied" in migrated.stdout + migrated.stderr
    assert {"users", "orders"} <= tables(project.url)
    assert "draft" not in tables(project.url)
    found = status(root)
    assert (found["tool"], found["detected_by"], found["applied"], found["pending"]) == (
        "drizzle",
        'apps/api/drizzle.config.ts (out: "./drizzle")',
        2,
        0,
    )

    # merged in from a branch: generated before 0001 (an older `when`), listed after it
    write_files(
        root,
        {
            "apps/api/drizzle/0002_merged.sql": drizzle_sql("merged"),
            "apps/api/drizzle/meta/_journal.json": drizzle_journal(
                [*ENTRIES, (1700000001000, "0002_merged")]
            ),
        },
    )
    planned = wttui(root, "migrate", "--dry-run")
    assert planned.returncode == 0, planned.stderr
    assert (
        "apply      0002_merged (out of order: drizzle-kit 0.x silently never applies it"
        in planned.stdout
    )
    migrated = wttui(root, "migrate")
    assert migrated.returncode == 1, migrated.stderr
    assert "No pending migrations" not in migrated.stdout + migrated.stderr
    error, hint = migrated.stderr.strip().splitlines()[-2:]
    assert error == (
        "wttui: error: 1 migration still to apply after the migrate (0 applied): 0002_merged "
        "(older than the newest applied one: drizzle-kit 0.x silently never applies it "
        "(1.x applies it))"
    )
    assert hint == (
        "hint: give its journal entry a `when` newer than the newest applied migration "
        "(regenerate it with `drizzle-kit generate` after merging), then migrate again"
    )
    assert "merged" not in tables(project.url)

    listed = {m["identity"]: m for m in status(root, "--migrations")["list"]}  # type: ignore[union-attr]
    late = listed["1700000001000"]
    assert (late["name"], late["state"], late["out_of_order"]) == ("0002_merged", "pending", True)
    assert "silently never applies" in late["note"]
    assert [m["out_of_order"] for m in listed.values()] == [False, True, False]
    assert json.loads(wttui(root, "status", "--json").stdout)[0]["migrations"]["out_of_order"] == 1
