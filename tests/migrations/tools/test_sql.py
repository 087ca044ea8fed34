"""wttui's built-in SQL runner (the `sql` adapter, executed in-process) against a real database:
states, failures, refusals, concurrency."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.repo_factory import tables
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState
from wttui.errors import Cancelled, MigrationFailed, MigrationFileError, Refused
from wttui.migrations.adapter import ApplyContext
from wttui.migrations.runner import Runner
from wttui.migrations.tools.sql import SqlAdapter

USERS = "-- migrate:up\nCREATE TABLE users (id int);\n-- migrate:down\nDROP TABLE users;\n"
ORDERS = "-- migrate:up\nCREATE TABLE orders (id int);\n-- migrate:down\nDROP TABLE orders;\n"


def folder(base: Path, name: str, files: dict[str, str]) -> Runner:
    path = base / name / "migrations"
    path.mkdir(parents=True)
    for filename, text in files.items():
        (path / filename).write_text(text)
    return Runner(SqlAdapter(), path)


def context(branch: str, base: Path) -> ApplyContext:
    return ApplyContext(
        worktree=branch.replace("/", "-"), branch=branch, commit="abc1234", path=base
    )


def apply(tool: Runner, url: str, branch: str = "main", sink: ListSink | None = None) -> int:
    return tool.apply(
        url,
        context=context(branch, tool.folder),
        sink=sink or ListSink(),
        cancel=CancelToken(),
    )


def states(tool: Runner, url: str) -> dict[str, MigrationState]:
    return {status.version: status.state for status in tool.status(url)}


def test_no_tracking_table_means_everything_is_pending(tmp_path: Path, url: str) -> None:
    tool = folder(tmp_path, "a", {"001_users.sql": USERS, "002_orders.sql": ORDERS})
    assert states(tool, url) == {"001": MigrationState.PENDING, "002": MigrationState.PENDING}
    assert tables(url) == set()  # reading the status created nothing


def test_apply_records_who_applied_and_is_idempotent(tmp_path: Path, url: str) -> None:
    tool = folder(tmp_path, "a", {"001_users.sql": USERS, "002_orders.sql": ORDERS})
    assert apply(tool, url, "feat/x") == 2
    assert apply(tool, url, "feat/x") == 0
    statuses = tool.status(url)
    assert [s.state for s in statuses] == [MigrationState.APPLIED] * 2
    assert {s.applied_by for s in statuses} == {"feat/x"}
    assert {"users", "orders", "wttui_schema_migrations"} <= tables(url)


def test_migrations_sort_by_number_not_text(tmp_path: Path, url: str) -> None:
    tool = folder(
        tmp_path,
        "a",
        {
            "2_second.sql": "CREATE TABLE second (id int REFERENCES first(id));",
            "10_third.sql": "CREATE TABLE third (id int REFERENCES second(id));",
            "1_first.sql": "CREATE TABLE first (id int PRIMARY KEY);",
        },
    )
    tool.folder.joinpath("2_second.sql").write_text(
        "CREATE TABLE second (id int PRIMARY KEY REFERENCES first(id));"
    )
    assert apply(tool, url) == 3
    assert [s.version for s in tool.status(url)] == ["1", "2", "10"]


def test_failure_half_way_rolls_back_and_names_file_and_line(tmp_path: Path, url: str) -> None:
    broken = "-- migrate:up\nCREATE TABLE half (id int);\nINSERT INTO nope VALUES (1);\n"
    tool = folder(tmp_path, "a", {"001_users.sql": USERS, "002_broken.sql": broken})
    sink = ListSink()
    failed_at = r"Migration 002_broken\.sql failed at line 3: "
    with pytest.raises(MigrationFailed, match=failed_at) as info:
        apply(tool, url, sink=sink)
    assert 'relation "nope" does not exist' in str(info.value)
    assert "002_broken.sql:3" in sink.text
    assert "half" not in tables(url)  # the failed migration's transaction was rolled back
    assert "users" in tables(url)  # the one before it stays applied
    failed = tool.status(url)[1]
    assert failed.state is MigrationState.FAILED
    assert failed.error is not None
    assert "002_broken.sql:3" in failed.error

    tool.folder.joinpath("002_broken.sql").write_text("CREATE TABLE half (id int);\n")
    assert apply(tool, url) == 1
    assert states(tool, url)["002"] is MigrationState.APPLIED


def test_edited_after_apply_is_modified_and_blocks_migrate(tmp_path: Path, url: str) -> None:
    tool = folder(tmp_path, "a", {"001_users.sql": USERS})
    apply(tool, url)
    tool.folder.joinpath("001_users.sql").write_text(USERS.replace("id int", "id bigint"))
    tool.folder.joinpath("002_orders.sql").write_text(ORDERS)
    assert states(tool, url) == {"001": MigrationState.MODIFIED, "002": MigrationState.PENDING}
    with pytest.raises(Refused, match="001_users.sql changed after it was applied"):
        apply(tool, url)
    assert "orders" not in tables(url)


def test_applied_from_another_worktree_is_named_and_not_rolled_back_here(
    tmp_path: Path, url: str
) -> None:
    """Two worktrees sharing one database (the seed's scenario, in miniature)."""
    mine = folder(tmp_path, "main", {"001_users.sql": USERS})
    theirs = folder(tmp_path, "epic", {"001_users.sql": USERS, "002_orders.sql": ORDERS})
    apply(mine, url, "main")
    apply(theirs, url, "feat/epic")

    elsewhere = mine.status(url)[1]
    assert elsewhere.state is MigrationState.APPLIED_ELSEWHERE
    assert elsewhere.applied_by == "feat/epic"
    assert elsewhere.file is None

    with pytest.raises(Refused, match="applied by feat/epic and is not in this worktree"):
        mine.rollback(
            url,
            steps=1,
            context=context("main", mine.folder),
            sink=ListSink(),
            cancel=CancelToken(),
        )
    assert "orders" in tables(url)


def test_rollback_reverts_newest_first_and_refuses_without_down(tmp_path: Path, url: str) -> None:
    tool = folder(
        tmp_path,
        "a",
        {"001_users.sql": USERS, "002_orders.sql": ORDERS, "003_flag.sql": "SELECT 1;"},
    )
    apply(tool, url)
    ctx = context("main", tool.folder)
    with pytest.raises(Refused, match="003_flag.sql has no -- migrate:down"):
        tool.rollback(url, steps=1, context=ctx, sink=ListSink(), cancel=CancelToken())
    tool.folder.joinpath("003_flag.sql").unlink()
    # 003 is now "applied elsewhere": gone from the folder, so rollback refuses it too.
    with pytest.raises(Refused):
        tool.rollback(url, steps=1, context=ctx, sink=ListSink(), cancel=CancelToken())


def test_rollback_n(tmp_path: Path, url: str) -> None:
    tool = folder(tmp_path, "a", {"001_users.sql": USERS, "002_orders.sql": ORDERS})
    apply(tool, url)
    sink = ListSink()
    assert (
        tool.rollback(
            url, steps=5, context=context("main", tool.folder), sink=sink, cancel=CancelToken()
        )
        == 2
    )
    assert sink.text.index("002_orders.sql") < sink.text.index("001_users.sql")
    assert tables(url) == {"wttui_schema_migrations"}


def test_two_runs_at_once_apply_each_migration_once(tmp_path: Path, url: str) -> None:
    slow = "-- migrate:up\nSELECT pg_sleep(0.5);\nCREATE TABLE slow (id int);\n"
    tool = folder(tmp_path, "a", {"001_slow.sql": slow, "002_users.sql": USERS})
    counts: list[int] = []
    errors: list[BaseException] = []

    def run(branch: str) -> None:
        try:
            counts.append(apply(tool, url, branch))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(b,)) for b in ("feat/a", "feat/b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sum(counts) == 2  # each migration applied exactly once, by one of the two
    assert set(states(tool, url).values()) == {MigrationState.APPLIED}


def test_cancel_stops_a_running_migration_and_rolls_it_back(tmp_path: Path, url: str) -> None:
    slow = "-- migrate:up\nCREATE TABLE slow (id int);\nSELECT pg_sleep(30);\n"
    tool = folder(tmp_path, "a", {"001_slow.sql": slow})
    cancel = CancelToken()
    timer = threading.Timer(0.5, cancel.cancel)
    timer.start()
    with pytest.raises(Cancelled):
        tool.apply(url, context=context("main", tool.folder), sink=ListSink(), cancel=cancel)
    timer.join()
    assert "slow" not in tables(url)
    assert states(tool, url) == {"001": MigrationState.PENDING}


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"users.sql": USERS}, "users.sql in .* is not named VERSION_name.sql"),
        ({"001_a.sql": USERS, "001_b.sql": ORDERS}, "001_a.sql and 001_b.sql share version 001"),
        (
            {"001_a.sql": "-- migrate:down\nDROP TABLE a;\n-- migrate:up\nSELECT 1;\n"},
            "down comes before",
        ),
        ({"001_a.down.sql": "DROP TABLE a;"}, "001_a.down.sql has no matching .up.sql"),
    ],
)
def test_malformed_folders_are_explained(
    tmp_path: Path, url: str, files: dict[str, str], message: str
) -> None:
    tool = folder(tmp_path, "a", files)
    with pytest.raises(MigrationFileError, match=message):
        tool.status(url)
    with pytest.raises(MigrationFileError):
        apply(tool, url)
    assert tables(url) == set()


def test_a_merged_in_older_migration_is_flagged_out_of_order(tmp_path: Path, url: str) -> None:
    tool = folder(tmp_path, "a", {"001_users.sql": USERS, "003_orders.sql": ORDERS})
    apply(tool, url)
    tool.folder.joinpath("002_from_another_branch.sql").write_text("SELECT 1;\n")
    statuses = {s.version: s for s in tool.status(url)}
    assert statuses["002"].state is MigrationState.PENDING
    assert statuses["002"].out_of_order
    assert statuses["002"].note == "wttui's runner applies it with the others"
    tool.folder.joinpath("004_newest.sql").write_text("SELECT 1;\n")
    assert not {s.version: s for s in tool.status(url)}["004"].out_of_order


def test_a_file_that_is_not_utf8_is_explained_and_nothing_runs(tmp_path: Path, url: str) -> None:
    tool = folder(tmp_path, "a", {"001_users.sql": USERS})
    (tool.folder / "002_latin1.sql").write_bytes(b"-- migrate:up\nSELECT 'caf\xe9';\n")
    with pytest.raises(MigrationFileError, match=r"002_latin1.sql in .* is not UTF-8 text"):
        tool.status(url)
    with pytest.raises(MigrationFileError):
        apply(tool, url)
    assert tables(url) == set()


def test_worktrees_with_the_same_files_each_see_their_own_and_an_edit_in_one(
    tmp_path: Path, url: str
) -> None:
    files = {"001_users.sql": USERS, "002_orders.sql": ORDERS}
    one, two = folder(tmp_path, "one", files), folder(tmp_path, "two", files)
    apply(one, url)
    assert [m.file for m in one.local()] == [one.folder / name for name in files]
    assert [m.file for m in two.local()] == [two.folder / name for name in files]
    assert states(two, url) == {"001": MigrationState.APPLIED, "002": MigrationState.APPLIED}

    (two.folder / "002_orders.sql").write_text(ORDERS.replace("(id int)", "(id bigint)"))
    assert states(two, url)["002"] is MigrationState.MODIFIED
    assert states(one, url)["002"] is MigrationState.APPLIED
    (two.folder / "002_orders.sql").write_text(ORDERS)
    assert states(two, url)["002"] is MigrationState.APPLIED
