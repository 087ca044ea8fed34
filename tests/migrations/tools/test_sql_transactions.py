"""The built-in runner and files that control transactions themselves (`BEGIN; … COMMIT;`,
`CREATE INDEX CONCURRENTLY`, dbmate's `transaction:false`), and where an error is reported:
against a real server, through the `Runner` every command uses."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.repo_factory import tables
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState
from wttui.errors import MigrationFailed, Refused
from wttui.migrations.adapter import ApplyContext
from wttui.migrations.runner import Runner
from wttui.migrations.tools.sql import SqlAdapter

OWN = (
    "-- migrate:up\n"  # line 1
    "BEGIN;\n"  # 2
    "CREATE TABLE once (id int);\n"  # 3
    "INSERT INTO once VALUES (1);\n"  # 4
    "COMMIT;\n"  # 5
    "-- migrate:down\n"
    "BEGIN;\nDROP TABLE once;\nCOMMIT;\n"
)


def runner(base: Path, files: dict[str, str]) -> Runner:
    folder = base / "migrations"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return Runner(SqlAdapter(), folder)


def context(base: Path) -> ApplyContext:
    return ApplyContext(worktree="wt", branch="feat/x", commit="abc1234", path=base)


def apply(tool: Runner, url: str, sink: ListSink | None = None) -> int:
    return tool.apply(
        url, context=context(tool.folder), sink=sink or ListSink(), cancel=CancelToken()
    )


def rollback(tool: Runner, url: str) -> int:
    return tool.rollback(
        url, steps=1, context=context(tool.folder), sink=ListSink(), cancel=CancelToken()
    )


def scalar(url: str, query: str) -> object:
    with psycopg.connect(url) as conn:
        row = conn.execute(query).fetchone()
    return row[0] if row else None


def tracking_row(url: str, version: str) -> tuple[str, str | None]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT status, error FROM wttui_schema_migrations WHERE version = %s", (version,)
        ).fetchone()
    assert row is not None
    return row[0], row[1]


def test_a_file_with_its_own_commit_runs_once_outside_wttuis_transaction(
    tmp_path: Path, url: str
) -> None:
    tool = runner(tmp_path, {"001_once.sql": OWN})
    sink = ListSink()
    assert apply(tool, url, sink) == 1
    assert "runs without wttui's transaction (line 2: BEGIN)" in sink.text
    assert scalar(url, "SELECT count(*) FROM once") == 1
    assert tracking_row(url, "001") == ("applied", None)
    assert apply(tool, url) == 0
    assert scalar(url, "SELECT count(*) FROM once") == 1
    assert rollback(tool, url) == 1
    assert "once" not in tables(url)


def test_create_index_concurrently_runs(tmp_path: Path, url: str) -> None:
    tool = runner(
        tmp_path,
        {
            "001_t.sql": "CREATE TABLE t (id int);\n",
            "002_i.sql": "CREATE INDEX CONCURRENTLY t_id ON t (id);\n",
        },
    )
    sink = ListSink()
    assert apply(tool, url, sink) == 2
    assert "line 1: CREATE INDEX CONCURRENTLY" in sink.text
    assert scalar(url, "SELECT count(*) FROM pg_indexes WHERE indexname = 't_id'") == 1


def test_dbmates_transaction_false_runs_outside(tmp_path: Path, url: str) -> None:
    text = "-- migrate:up transaction:false\nCREATE TABLE a (id int);\nSELECT 1/0;\n"
    tool = runner(tmp_path, {"001_a.sql": text})
    with pytest.raises(MigrationFailed) as info:
        apply(tool, url)
    assert "001_a.sql failed at line 3: division by zero" in str(info.value)
    assert "line 2 was committed and stays in the database" in str(info.value)
    assert "a" in tables(url)


def test_a_failure_after_the_files_commit_tells_the_truth_and_blocks_a_rerun(
    tmp_path: Path, url: str
) -> None:
    text = OWN.split("-- migrate:down")[0] + "INSERT INTO nope VALUES (1);\n"  # line 6
    tool = runner(tmp_path, {"001_once.sql": text})
    sink = ListSink()
    with pytest.raises(MigrationFailed) as info:
        apply(tool, url, sink)
    message = f"{info.value} {info.value.hint}"
    assert "001_once.sql failed at line 6" in message
    assert "lines 2–5 were committed and stay in the database" in message
    assert "rolled back" not in message  # nothing was: the log must not say it was
    assert "rolled back" not in sink.text
    assert "wttui resolve feat/x 001 --applied" in message
    assert scalar(url, "SELECT count(*) FROM once") == 1

    failed = tool.status(url)[0]
    assert failed.state is MigrationState.FAILED
    assert failed.unfinished
    assert failed.error is not None
    assert "001_once.sql:6" in failed.error
    with pytest.raises(Refused, match="001_once did not finish"):
        apply(tool, url)
    assert scalar(url, "SELECT count(*) FROM once") == 1  # not applied a second time


def test_a_failure_inside_the_files_transaction_rolls_that_back_and_says_so(
    tmp_path: Path, url: str
) -> None:
    text = "CREATE TABLE before (id int);\nBEGIN;\nCREATE TABLE inside (id int);\nSELECT 1/0;\n"
    tool = runner(tmp_path, {"001_x.sql": text})
    with pytest.raises(MigrationFailed) as info:
        apply(tool, url)
    assert "001_x.sql failed at line 4: division by zero" in str(info.value)
    assert "line 1 was committed" in str(info.value)
    assert "the transaction it opened at line 2 was rolled back" in str(info.value)
    assert tables(url) == {"before", "wttui_schema_migrations"}


def test_nothing_committed_is_an_ordinary_failure_that_runs_again(tmp_path: Path, url: str) -> None:
    text = "BEGIN;\nCREATE TABLE inside (id int);\nSELECT 1/0;\nCOMMIT;\n"
    tool = runner(tmp_path, {"001_x.sql": text})
    with pytest.raises(MigrationFailed) as info:
        apply(tool, url)
    assert "nothing of it was committed" in str(info.value)
    assert info.value.hint == "fix the file and migrate again"
    status = tool.status(url)[0]
    assert (status.state, status.unfinished) == (MigrationState.FAILED, False)
    tool.folder.joinpath("001_x.sql").write_text(text.replace("SELECT 1/0;\n", ""))
    assert apply(tool, url) == 1
    assert "inside" in tables(url)


def test_a_file_that_never_commits_is_rolled_back_not_left_open(tmp_path: Path, url: str) -> None:
    tool = runner(tmp_path, {"001_x.sql": "BEGIN;\nCREATE TABLE open (id int);\n"})
    with pytest.raises(MigrationFailed) as info:
        apply(tool, url)
    message = str(info.value)
    assert "001_x.sql failed at line 1: the file ends inside the transaction it opened" in message
    assert "open" not in tables(url)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # A runtime error (no position from the server): the failing statement's own line.
        ("-- migrate:up\nCREATE TABLE a (id int);\n\nINSERT INTO a\n  VALUES (1/0);\n", ":4: "),
        # A name error: the server's position inside the statement.
        ("CREATE TABLE a (id int);\nSELECT id,\n  nope FROM a;\n", ":3: "),
        # PL/pgSQL: the line of the DO block's body that raised.
        ("SELECT 1;\nDO $$\nBEGIN\n  PERFORM 1;\n  RAISE EXCEPTION 'boom';\nEND $$;\n", ":5: "),
        # A file with its own transaction: the same rules.
        ("BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nSELECT\n  1/0;\n", ":4: "),
    ],
)
def test_errors_name_the_failing_statements_line(
    tmp_path: Path, url: str, text: str, where: str
) -> None:
    tool = runner(tmp_path, {"001_x.sql": text})
    with pytest.raises(MigrationFailed) as info:
        apply(tool, url)
    assert f"001_x.sql failed at line {where.strip(': ')}: " in str(info.value)
    status = tool.status(url)[0]
    assert status.error is not None
    assert f"001_x.sql{where}" in status.error


def test_an_error_in_a_called_function_names_the_function(tmp_path: Path, url: str) -> None:
    function = (
        "CREATE FUNCTION boom() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1/0;\nEND $$;\n"
    )
    tool = runner(
        tmp_path, {"001_f.sql": function, "002_call.sql": "SELECT 1;\n\nSELECT boom();\n"}
    )
    with pytest.raises(MigrationFailed) as info:
        apply(tool, url)
    message = str(info.value)
    assert "002_call.sql failed at line 3: division by zero (in function boom() line 3)" in message


def test_errors_in_a_down_file_name_it(tmp_path: Path, url: str) -> None:
    tool = runner(
        tmp_path,
        {
            "001_a.up.sql": "CREATE TABLE a (id int);\n",
            "001_a.down.sql": "DROP TABLE a;\n\nDROP TABLE nope;\n",
        },
    )
    apply(tool, url)
    with pytest.raises(MigrationFailed, match=r"001_a\.down\.sql:3: table \"nope\" does not exist"):
        rollback(tool, url)
    assert "a" in tables(url)  # the down part's transaction was rolled back


def test_a_down_part_with_its_own_commit_that_fails_half_way_is_unfinished(
    tmp_path: Path, url: str
) -> None:
    text = (
        "-- migrate:up\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n"
        "-- migrate:down\nBEGIN;\nDROP TABLE a;\nCOMMIT;\nDROP TABLE nope;\n"
    )
    tool = runner(tmp_path, {"001_ab.sql": text})
    apply(tool, url)
    with pytest.raises(MigrationFailed) as info:
        rollback(tool, url)
    assert "001_ab.sql:8" in str(info.value)
    assert "lines 5–7 were committed" in str(info.value)
    assert tables(url) == {"b", "wttui_schema_migrations"}
    status = tool.status(url)[0]
    assert status.unfinished
    assert tracking_row(url, "001")[0] == "partial"
