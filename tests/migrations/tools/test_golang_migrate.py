"""golang-migrate (MIGRATION-TOOLS.md §5) against a real database: its one-row
`schema_migrations` created with the tool's own DDL and set the way `SetVersion` sets it, read
through a `Runner` as the Migrations pane does (the CLI can't be installed here)."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.migrations.tools.conftest import A, E, F, M, P, by_version, remember, states, write
from tests.repo_factory import Statement, run_sql
from wttui.core.models import MigrationState
from wttui.migrations.adapter import implied
from wttui.migrations.merge import merge
from wttui.migrations.runner import Runner
from wttui.migrations.tools.golang_migrate import GolangMigrateAdapter

GOLANG_DDL = (
    'CREATE TABLE IF NOT EXISTS "public"."schema_migrations" '
    "(version bigint not null primary key, dirty boolean not null)"
)


def golang_version(version: int, dirty: bool = False) -> list[Statement]:
    """`SetVersion`: truncate, then the one row."""
    return [
        "TRUNCATE schema_migrations",
        ("INSERT INTO schema_migrations (version, dirty) VALUES (%s, %s)", (version, dirty)),
    ]


def golang_folder(base: Path, *versions: int) -> Path:
    files = {}
    for v in versions:
        files[f"{v:03d}_t{v}.up.sql"] = f"CREATE TABLE t{v} (id int);"
        files[f"{v:03d}_t{v}.down.sql"] = f"DROP TABLE t{v};"
    return write(base / "migrations", files)


def golang_merged(
    adapter: GolangMigrateAdapter, folder: Path, url: str
) -> dict[str, MigrationState]:
    """The adapter's side of the statuses: its rows completed by `implied`, merged."""
    local = adapter.local(folder)
    with psycopg.connect(url, autocommit=True) as conn:
        rows = adapter.applied(conn)
    merged = merge(local, implied(local, rows or []), {}, has_down=True)
    return {s.version: s.state for s in merged}


def test_detect_by_up_and_down_pairs(tmp_path: Path) -> None:
    golang = GolangMigrateAdapter()
    for rel in ("migrations", "db/migrations"):
        root = tmp_path / f"golang-{rel.replace('/', '-')}"
        write(root / rel, {"1_x.up.sql": "CREATE TABLE x();", "1_x.down.sql": "DROP TABLE x;"})
        assert golang.detect(root)
    half = write(tmp_path / "half" / "migrations", {"1_x.up.sql": "CREATE TABLE x();"})
    assert not golang.detect(half.parent)  # an up without its down is no pair
    own = write(tmp_path / "own" / "migrations", {"001_x.sql": "-- migrate:up\nSELECT 1;\n"})
    assert not golang.detect(own.parent)
    assert not golang.detect(tmp_path / "empty")


def test_local_versions_are_integers(tmp_path: Path) -> None:
    golang = write(
        tmp_path / "golang",
        {
            "10_ten.up.sql": "",
            "10_ten.down.sql": "",
            "002_two.up.sql": "",
            "002_two.down.sql": "",
            "3.up.sql": "",  # no `_title`: not a golang-migrate file
        },
    )
    found = GolangMigrateAdapter().local(golang)
    assert [(m.version, m.name, m.file.name) for m in found] == [
        ("2", "two", "002_two.up.sql"),  # a bigint in the table: 002 is 2
        ("10", "ten", "10_ten.up.sql"),
    ]


def test_golang_migrate_one_row_means_everything_up_to_it(tmp_path: Path, url: str) -> None:
    adapter = GolangMigrateAdapter()
    assert adapter.cumulative
    folder = golang_folder(tmp_path, 1, 2, 3)
    runner = Runner(adapter, folder)
    assert states(runner, url) == {"1": P, "2": P, "3": P}  # no table
    run_sql(url, GOLANG_DDL)
    assert states(runner, url) == {"1": P, "2": P, "3": P}  # empty table: nil version

    run_sql(url, *golang_version(2))
    with psycopg.connect(url, autocommit=True) as conn:
        assert [(r.version, r.state) for r in adapter.applied(conn) or []] == [("2", A)]
    # 1 is applied too: the tool never runs a file below its version. Out of order is
    # therefore unknowable here — a lower file from another branch also counts as applied.
    assert golang_merged(adapter, folder, url) == {"1": A, "2": A, "3": P}

    # The stored version has its file: wttui records it at the next apply, and an edit
    # afterwards shows.
    assert states(runner, url)["2"] is A
    remember(runner, url)
    (folder / "002_t2.up.sql").write_text("CREATE TABLE t2 (id bigint);")
    assert states(runner, url)["2"] is M

    run_sql(url, *golang_version(7))  # applied from a branch with more migrations
    assert golang_merged(adapter, folder, url) == {"1": A, "2": A, "3": A, "7": E}


def test_golang_migrate_lower_versions_show_applied_through_the_runner(
    tmp_path: Path, url: str
) -> None:
    runner = Runner(GolangMigrateAdapter(), golang_folder(tmp_path, 1, 2, 3))
    run_sql(url, GOLANG_DDL, *golang_version(2))
    statuses = by_version(runner.status(url))
    assert {v: s.state for v, s in statuses.items()} == {"1": A, "2": A, "3": P}
    assert not statuses["1"].out_of_order


def test_golang_migrate_dirty(tmp_path: Path, url: str) -> None:
    adapter = GolangMigrateAdapter()
    folder = golang_folder(tmp_path, 1, 2, 3)
    run_sql(url, GOLANG_DDL, *golang_version(3, dirty=True))  # 3's up failed half way
    status = by_version(Runner(adapter, folder).status(url))["3"]
    assert status.state is F
    assert status.error is not None
    assert "migrate force 3" in status.error
    assert golang_merged(adapter, folder, url) == {"1": A, "2": A, "3": F}

    run_sql(url, *golang_version(-1, dirty=True))  # the first migration's down failed
    assert golang_merged(adapter, folder, url) == {"1": P, "2": P, "3": P, "-1": F}
    run_sql(url, "TRUNCATE schema_migrations")  # `force -1`: nil, clean
    assert golang_merged(adapter, folder, url) == {"1": P, "2": P, "3": P}
