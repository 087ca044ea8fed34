"""Detection in monorepos (issue 12, item 1): the configured `dir` and its parents, `apps/*`,
`packages/*`, a shallow bounded search, the tools' own configs and `package.json` scripts —
each answer naming the file that decided. Generated repositories shaped like real ones."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import require_component
from tests.migrations.tools.conftest import write
from wttui.core.versions import collation_key
from wttui.migrations import detection, registry
from wttui.migrations.registry import detection_of, runner_for


def settle(root: Path) -> Path:
    """Everything below `root` dated a minute back (see `registry.RACY_NS`)."""
    past = time.time() - 60
    for path in (root, *root.rglob("*")):
        os.utime(path, (past, past))
    return root


def prisma_app(root: Path, base: str, count: int = 3, *, lock: bool = True) -> Path:
    """A Prisma project at `root/base`: `schema.prisma` at its top (where the CLI also looks),
    `migrations/` beside it."""
    files = {f"{base}/schema.prisma": 'datasource db {\n  provider = "postgresql"\n}\n'}
    if lock:
        files[f"{base}/migrations/migration_lock.toml"] = 'provider = "postgresql"\n'
    for i in range(count):
        month, day = 1 + i // 28, 1 + i % 28
        name = f"2025{month:02d}{day:02d}120000_step_{i}"
        files[f"{base}/migrations/{name}/migration.sql"] = f"CREATE TABLE t{i} (id int);\n"
    return write(root, files)


def test_prisma_under_packages_found_from_the_configured_dir(tmp_path: Path) -> None:
    root = prisma_app(tmp_path / "wt", "packages/prisma", count=160)
    runner = runner_for(root, folder="packages/prisma/migrations")
    assert runner.name == "prisma"
    assert runner.folder == root / "packages/prisma/migrations"
    assert runner.source == "packages/prisma/migrations/migration_lock.toml"
    assert runner.base == root / "packages/prisma"  # where `npx prisma migrate deploy` runs
    assert len(runner.adapter.local(runner.folder)) == 160

    (root / "packages/prisma/migrations/migration_lock.toml").unlink()
    runner = runner_for(root, folder="packages/prisma/migrations")
    assert (runner.name, runner.source) == ("prisma", "packages/prisma/schema.prisma")


@pytest.mark.parametrize(
    ("files", "tool", "folder", "source"),
    [
        (
            {"apps/web/prisma/schema.prisma": "datasource db {}\n"},
            "prisma",
            "apps/web/prisma/migrations",
            "apps/web/prisma/schema.prisma",
        ),
        (
            {
                "apps/api/drizzle.config.ts": (
                    'import { defineConfig } from "drizzle-kit";\n'
                    'export default defineConfig({ dialect: "postgresql", out: "./drizzle" });\n'
                )
            },
            "drizzle",
            "apps/api/drizzle",
            'apps/api/drizzle.config.ts (out: "./drizzle")',
        ),
        (
            {"packages/db/drizzle/meta/_journal.json": '{"entries": []}'},
            "drizzle",
            "packages/db/drizzle",
            "packages/db/drizzle/meta/_journal.json",
        ),
        (
            {"services/billing/alembic.ini": "[alembic]\nscript_location = db\n"},
            "alembic",
            "services/billing/db/versions",
            "services/billing/alembic.ini (script_location: db)",
        ),
        (
            {
                "prisma.config.ts": (
                    'import { defineConfig } from "prisma/config";\n'
                    "export default defineConfig({\n"
                    '  schema: "db/schema.prisma",\n'
                    '  migrations: { path: "db/history" },\n'
                    "});\n"
                )
            },
            "prisma",
            "db/history",
            'prisma.config.ts (migrations.path: "db/history")',
        ),
        (
            {"package.json": json.dumps({"prisma": {"schema": "database/main.prisma"}})},
            "prisma",
            "database/migrations",
            'package.json (prisma.schema: "database/main.prisma")',
        ),
        (
            {
                "package.json": json.dumps(
                    {"scripts": {"db:migrate": "cd apps/api && npx drizzle-kit migrate"}}
                ),
                "apps/api/drizzle.config.json": json.dumps({"out": "sql"}),
                "apps/api/sql/meta/_journal.json": '{"entries": []}',
            },
            "drizzle",
            "apps/api/sql",  # the script's directory's config names the folder
            'package.json (scripts.db:migrate: "cd apps/api && npx drizzle-kit migrate")',
        ),
        (
            {
                "package.json": json.dumps(
                    {"scripts": {"migrate": "prisma migrate deploy --schema db/app.prisma"}}
                )
            },
            "prisma",
            "db/migrations",
            'package.json (scripts.migrate: "prisma migrate deploy --schema db/app.prisma")',
        ),
        (
            {"package.json": json.dumps({"scripts": {"migrate": "dbmate -d sql/up migrate"}})},
            "dbmate",
            "sql/up",
            'package.json (scripts.migrate: "dbmate -d sql/up migrate")',
        ),
        (
            {"backend/db/migrations/20250101_users.sql": "-- migrate:up\nCREATE TABLE u ();\n"},
            "dbmate",
            "backend/db/migrations",
            "backend/db/migrations",
        ),
    ],
)
def test_a_tool_below_the_top_is_found_and_its_file_named(
    tmp_path: Path, files: dict[str, str], tool: str, folder: str, source: str
) -> None:
    root = write(tmp_path / "wt", {"README.md": "a monorepo\n", **files})
    runner = runner_for(root)
    assert (runner.name, runner.folder, runner.source) == (tool, root / folder, source)


def test_the_scripts_tool_runs_where_the_script_cds(tmp_path: Path) -> None:
    root = write(
        tmp_path / "wt",
        {
            "package.json": json.dumps(
                {"scripts": {"m": "cd apps/api && npx drizzle-kit migrate"}}
            ),
            "apps/api/drizzle/meta/_journal.json": '{"entries": []}',
        },
    )
    # the top's scripts are read before apps/*: the script decides, and says where it runs
    runner = runner_for(root)
    assert (runner.name, runner.base) == ("drizzle", root / "apps/api")
    assert runner.executor.cwd == root / "apps/api"  # type: ignore[attr-defined]


def test_two_tools_are_both_named(tmp_path: Path) -> None:
    root = write(
        tmp_path / "wt",
        {
            "apps/web/prisma/schema.prisma": "datasource db {}\n",
            "apps/api/drizzle.config.ts": 'export default { out: "./drizzle" };\n',
        },
    )
    runner = runner_for(root)
    assert runner.name == "drizzle"  # apps/api before apps/web
    assert runner.also == ("prisma in apps/web/prisma/schema.prisma",)
    assert runner_for(root, tool="prisma").folder == root / "apps/web/prisma/migrations"


def test_the_search_skips_dependencies_and_stays_shallow(tmp_path: Path) -> None:
    root = write(
        tmp_path / "wt",
        {
            "node_modules/some-lib/prisma/schema.prisma": "datasource db {}\n",
            ".cache/drizzle.config.ts": 'export default { out: "./x" };\n',
            "a/b/c/d/prisma/schema.prisma": "datasource db {}\n",  # 4 levels down: too deep
            "migrations/001_users.sql": "CREATE TABLE users ();\n",
        },
    )
    runner = runner_for(root)
    assert (runner.name, runner.folder, runner.source) == ("sql", root / "migrations", "")


def test_the_search_is_bounded_in_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write(tmp_path / "wt", {f"d{i}/x/prisma/schema.prisma": "" for i in range(30)})
    assert detection_of(root).tool == "prisma"
    registry._detected.clear()
    monkeypatch.setattr(detection, "SEARCH_DIRS", 5)
    assert detection_of(root).tool is None  # stopped after five entries


def test_detection_is_cached_until_a_monorepo_place_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    original = detection.detect

    def counting(root: Path, *args: object, **kwargs: object) -> detection.Detection:
        calls.append(root)
        return original(root, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(detection, "detect", counting)
    root = settle(write(tmp_path / "wt", {"apps/web/README.md": "no tool yet\n"}))
    assert detection_of(root).tool is None
    assert detection_of(root).tool is None
    assert len(calls) == 1

    write(root, {"apps/web/prisma/schema.prisma": "datasource db {}\n"})
    settle(root)
    found = detection_of(root)
    assert (found.tool, found.source) == ("prisma", "apps/web/prisma/schema.prisma")
    assert len(calls) == 2
    assert detection_of(root).tool == "prisma"
    assert len(calls) == 2


def test_prismas_order_is_javascripts_locale_compare() -> None:
    """Prisma sorts its folders with JavaScript's `localeCompare`: wttui's key agrees with
    node on names of different lengths, separators and case."""
    node = shutil.which("node")
    if node is None:
        require_component("node", "install nodejs (Prisma's order is JavaScript's)")
    names = [
        "20251016140000_b",
        "2025101614_short",
        "20251016140000-a",
        "20251016_A",
        "b1",
        "B1",
        "a_b",
        "a-b",
        "a.b",
        "a0",
        "aB",
        "ab",
        "A1",
    ]
    script = (
        "const names = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(names.sort((a, b) => a.localeCompare(b))))"
    )
    done = subprocess.run(
        [node, "-e", script, json.dumps(names)], capture_output=True, text=True, check=True
    )
    assert sorted(names, key=collation_key) == json.loads(done.stdout)
    assert sorted(names, key=collation_key)[:2] == ["20251016_A", "2025101614_short"]
