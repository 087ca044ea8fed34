"""The one list of tools: built-in names known without importing an adapter, a third party's
adapter through the `wttui.migrations` entry point group (a real installed distribution on
`sys.path`), unknown names refused with the list, and detection cached per worktree until a
marker changes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.migrations.tools.conftest import A, P, states, write
from tests.repo_factory import run_sql
from wttui import config
from wttui.errors import ConfigError
from wttui.migrations import registry
from wttui.migrations.registry import adapter_class, detect, runner_for, tool_names

BUILTIN = (
    "sql",
    "prisma",
    "drizzle",
    "flyway",
    "knex",
    "node-pg-migrate",
    "alembic",
    "sqitch",
    "rails",
    "goose",
    "golang-migrate",
    "dbmate",
    "django",
)

PLUGIN = '''
"""A third party's adapter: Liquibase's DATABASECHANGELOG, one row per changeset."""
from pathlib import Path

from wttui.migrations.adapter import Adapter, AppliedMigration, LocalMigration, table_exists

DETECTED: list[Path] = []


class LiquibaseAdapter(Adapter):
    name = "liquibase"
    default_dir = "changelog"
    out_of_order = "liquibase applies it"
    apply = ("liquibase", "update")
    markers = ("liquibase.properties",)

    def detect(self, root):
        DETECTED.append(root)
        return (root / "liquibase.properties").is_file()

    def local(self, folder):
        return [LocalMigration(p.stem, p.stem, p) for p in sorted(folder.glob("*.sql"))]

    def applied(self, conn):
        if not table_exists(conn, "databasechangelog"):
            return None
        rows = conn.execute("SELECT id FROM databasechangelog ORDER BY orderexecuted")
        return [AppliedMigration(str(row[0])) for row in rows.fetchall()]


NOT_AN_ADAPTER = 42
'''


def settle(root: Path) -> Path:
    """Every file and folder below `root` dated a minute back, as in a worktree untouched for
    a while (a marker changed within the last moments is never cached: see `RACY_NS`)."""
    past = time.time() - 60
    for path in (root, *root.rglob("*")):
        os.utime(path, (past, past))
    return root


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A distribution on `sys.path` declaring two entry points in `wttui.migrations`."""
    site = tmp_path / "site"
    write(
        site,
        {
            "wttui_liquibase.py": PLUGIN,
            "wttui_liquibase-1.0.dist-info/METADATA": (
                "Metadata-Version: 2.1\nName: wttui-liquibase\nVersion: 1.0\n"
            ),
            "wttui_liquibase-1.0.dist-info/entry_points.txt": (
                "[wttui.migrations]\nliquibase = wttui_liquibase:LiquibaseAdapter\n"
                "broken = wttui_liquibase:NOT_AN_ADAPTER\n"
                "dbmate = wttui_liquibase:LiquibaseAdapter\n"
            ),
        },
    )
    monkeypatch.syspath_prepend(str(site))
    registry.plugins.cache_clear()
    import wttui_liquibase  # type: ignore[import-not-found]

    yield wttui_liquibase
    registry.plugins.cache_clear()
    sys.modules.pop("wttui_liquibase", None)


def test_one_list_of_names_without_importing_an_adapter() -> None:
    code = (
        "import sys\n"
        "from wttui.migrations.registry import tool_names\n"
        "print(','.join(tool_names()))\n"
        "print(sorted(m for m in sys.modules if m.startswith('wttui.migrations.tools.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    names, imported = done.stdout.splitlines()
    assert tuple(names.split(",")) == BUILTIN
    assert imported == "[]"
    for name in BUILTIN:  # each name is its adapter's own
        assert adapter_class(name).name == name


def test_an_unknown_tool_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        runner_for(Path("."), tool="liquibas")
    assert str(info.value).startswith(
        "[migrations] tool: unknown tool 'liquibas' (known: auto, sql, prisma, drizzle,"
    )
    assert info.value.exit_code == 2


def test_the_config_accepts_any_tool_name(tmp_path: Path) -> None:
    (tmp_path / ".wttui.toml").write_text('[migrations]\ntool = "liquibase"\n')
    assert config.load(tmp_path).migrations.tool == "liquibase"


def test_a_bad_command_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[migrations\] apply: No closing quotation"):
        runner_for(tmp_path, tool="dbmate", apply="dbmate 'up")


@pytest.mark.usefixtures("plugin")
def test_a_third_partys_adapter_through_the_entry_point_group(tmp_path: Path, url: str) -> None:
    names = tool_names()
    assert names[: len(BUILTIN)] == BUILTIN
    assert names[len(BUILTIN) :] == ("broken", "liquibase")  # a built-in name stays built-in
    assert adapter_class("dbmate").__module__ == "wttui.migrations.tools.dbmate"
    with pytest.raises(ConfigError, match="'broken' names 42, which is no wttui migration"):
        runner_for(tmp_path, tool="broken")

    root = tmp_path / "wt"
    write(root / "changelog", {"001-users.sql": "CREATE TABLE users ();"})
    runner = runner_for(root, tool="liquibase")
    assert (runner.name, runner.folder, runner.can_rollback) == (
        "liquibase",
        root / "changelog",
        False,
    )
    run_sql(
        url,
        "CREATE TABLE databasechangelog (id text, orderexecuted int)",
        "INSERT INTO databasechangelog VALUES ('001-users', 1)",
    )
    assert states(runner, url) == {"001-users": A}
    write(root / "changelog", {"002-orders.sql": "CREATE TABLE orders ();"})
    assert states(runner, url) == {"001-users": A, "002-orders": P}


def test_detection_is_cached_until_a_marker_changes(plugin: object, tmp_path: Path) -> None:
    detected: list[Path] = plugin.DETECTED  # type: ignore[attr-defined]
    root = settle(write(tmp_path / "wt", {"README.md": "no tool here\n"}))
    assert detect(root) is None
    assert detect(root) is None
    assert len(detected) == 1  # the second answer came from the cache
    assert runner_for(root).name == "sql"
    assert len(detected) == 1

    (root / "liquibase.properties").write_text("changelog-file=changelog/main.xml\n")
    assert detect(root) == "liquibase"  # a marker appeared: detected again
    assert len(detected) == 2
    settle(root)
    assert detect(root) == "liquibase"
    assert detect(root) == "liquibase"
    assert len(detected) == 3  # detected once more for the new dates, then cached

    write(root, {"knexfile.js": "module.exports = {};\n"})
    assert detect(root) == "knex"  # built-ins first
    (root / "knexfile.js").unlink()
    assert detect(root) == "liquibase"
    assert len(detected) == 4


def test_detection_sees_a_tools_folder_appear(tmp_path: Path) -> None:
    root = write(tmp_path / "wt", {"migrations/001_users.sql": "CREATE TABLE users ();\n"})
    assert detect(root) is None
    write(
        root,
        {
            "migrations/002_x.up.sql": "CREATE TABLE x ();\n",
            "migrations/002_x.down.sql": "DROP TABLE x;\n",
        },
    )
    assert detect(root) == "golang-migrate"
