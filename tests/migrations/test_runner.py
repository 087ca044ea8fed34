"""The one runner every tool goes through: reads that never write, the side table created by the
first apply that needs it, and the one rollback rule (every refusal decided on the merged
statuses, before anything runs)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.migrations.tools.conftest import A, E, P, context_for, remember, states, write
from tests.repo_factory import run_sql
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState, MigrationStatus
from wttui.core.urls import with_query
from wttui.errors import Refused
from wttui.migrations.registry import runner_for, tool_names
from wttui.migrations.runner import Runner, read_only
from wttui.migrations.tools.dbmate import DbmateAdapter
from wttui.migrations.tools.prisma import PrismaAdapter
from wttui.migrations.tools.sql import SqlAdapter

DBMATE_DDL = "create table if not exists schema_migrations (version varchar primary key)"
USERS = "-- migrate:up\nCREATE TABLE users (id int);\n-- migrate:down\nDROP TABLE users;\n"
ORDERS = "-- migrate:up\nCREATE TABLE orders (id int);\n-- migrate:down\nDROP TABLE orders;\n"


def snapshot(url: str) -> tuple[list[tuple[object, ...]], ...]:
    """Every schema and relation outside the system catalogs with the transaction that wrote
    its catalog row, and every row of dbmate's table with its physical position and writer: a
    new schema, table, row or rewritten row shows."""
    with psycopg.connect(url, autocommit=True) as conn:
        schemas = conn.execute(
            "SELECT nspname, xmin::text FROM pg_namespace ORDER BY nspname"
        ).fetchall()
        relations = conn.execute(
            "SELECT n.nspname, c.relname, c.relkind, c.xmin::text FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2"
        ).fetchall()
        rows = conn.execute(
            "SELECT ctid::text, xmin::text, version FROM schema_migrations ORDER BY version"
        ).fetchall()
    return schemas, relations, rows


def test_a_status_read_leaves_another_tools_database_byte_for_byte_unchanged(
    tmp_path: Path, url: str
) -> None:
    """A shared database of a team using dbmate: reading its status through every tool wttui
    knows — dbmate's own included, whose applied files wttui has no checksum of yet — creates
    no schema, table or row and rewrites nothing."""
    root = tmp_path / "wt"
    write(root / "db" / "migrations", {"001_users.sql": USERS, "002_orders.sql": ORDERS})
    run_sql(url, DBMATE_DDL, "INSERT INTO schema_migrations VALUES ('001'), ('002')")
    before = snapshot(url)
    assert states(runner_for(root), url) == {"001": A, "002": A}  # detected: dbmate
    for tool in tool_names():
        runner_for(root, tool=tool).status(url)
    assert snapshot(url) == before
    assert "wttui" not in {row[0] for row in before[0]}


def test_a_status_read_keeps_the_worktrees_search_path(tmp_path: Path, url: str) -> None:
    """The schema strategy's conninfo carries `options=-csearch_path=…`: the read-only option
    joins it instead of replacing it."""
    run_sql(
        url,
        "CREATE SCHEMA wt",
        DBMATE_DDL.replace("schema_migrations", "wt.schema_migrations"),
        "INSERT INTO wt.schema_migrations VALUES ('001')",
    )
    folder = write(tmp_path / "db" / "migrations", {"001_users.sql": USERS})
    runner = Runner(DbmateAdapter(), folder)
    assert states(runner, with_query(url, options="-csearch_path=wt")) == {"001": A}
    assert states(runner, url) == {"001": P}  # public has no table


@pytest.mark.parametrize("form", ["url", "key=value"])
def test_a_read_only_session_cannot_write(url: str, form: str) -> None:
    conninfo = with_query(url, options="-csearch_path=wt")
    if form == "key=value":
        conninfo = make_conninfo(**conninfo_to_dict(conninfo))
    run_sql(url, "CREATE SCHEMA wt")
    with psycopg.connect(read_only(conninfo), autocommit=True) as conn:
        assert conn.execute("SHOW search_path").fetchone() == ("wt",)
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TABLE t (id int)")


def wttui_tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'wttui'")
        return {str(row[0]) for row in rows.fetchall()}


def test_the_side_table_is_created_by_the_first_apply_that_needs_it(
    tmp_path: Path, url: str
) -> None:
    folder = write(tmp_path / "db" / "migrations", {"001_users.sql": USERS})
    runner = Runner(DbmateAdapter(), folder)
    remember(runner, url)  # nothing applied: nothing to record, nothing created
    assert wttui_tables(url) == set()

    run_sql(url, DBMATE_DDL, "INSERT INTO schema_migrations VALUES ('001')")  # by dbmate itself
    runner.status(url)
    assert wttui_tables(url) == set()
    remember(runner, url)
    assert wttui_tables(url) == {"applied_migrations"}
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT version, by_wttui, branch FROM wttui.applied_migrations")
        assert row.fetchall() == [("001", False, None)]  # seen applied, owner unknown


# -- the one rollback rule -------------------------------------------------------------------


def migration(
    version: str,
    state: MigrationState = A,
    *,
    here: bool = True,
    has_down: bool = True,
    applied_by: str | None = None,
) -> MigrationStatus:
    return MigrationStatus(
        version=version,
        name="users",
        state=state,
        file=Path(f"/wt/migrations/{version}_users.sql") if here else None,
        applied_by=applied_by,
        has_down=has_down,
    )


def test_rollback_targets_are_the_newest_applied_in_the_tools_order(tmp_path: Path) -> None:
    runner = Runner(SqlAdapter(), tmp_path)
    statuses = (
        migration("001"),
        migration("002", MigrationState.MODIFIED),
        migration("003", MigrationState.FAILED),
        migration("004", P),
    )
    assert [s.version for s in runner.rollback_targets(statuses, 1)] == ["002"]
    assert [s.version for s in runner.rollback_targets(statuses, 5)] == ["002", "001"]
    assert runner.rollback_targets((migration("001", P),), 1) == ()


def test_one_refusal_for_every_tool_when_the_newest_is_not_here(tmp_path: Path) -> None:
    statuses = (migration("001"), migration("002", E, here=False, applied_by="feat/epic"))
    messages = set()
    for adapter in (SqlAdapter(), DbmateAdapter()):
        with pytest.raises(Refused, match="applied by feat/epic and is not in this worktree") as e:
            Runner(adapter, tmp_path).rollback_targets(statuses, 1)
        messages.add(str(e.value))
    assert len(messages) == 1  # the same words, whichever runner


def test_rollback_refusals_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(Refused, match="prisma has no down migrations"):
        Runner(PrismaAdapter(), tmp_path).rollback_targets((migration("001"),), 1)
    # The second target has no down part: refused although the first one has one.
    statuses = (migration("001", has_down=False), migration("002"))
    with pytest.raises(Refused, match="001_users has no down migration"):
        Runner(SqlAdapter(), tmp_path).rollback_targets(statuses, 2)
    assert len(Runner(SqlAdapter(), tmp_path).rollback_targets(statuses, 1)) == 1


def test_a_refused_rollback_reverts_nothing(tmp_path: Path, url: str) -> None:
    folder = write(tmp_path / "migrations", {"001_users.sql": USERS, "002_flag.sql": "SELECT 1;"})
    runner = Runner(SqlAdapter(), folder)
    context = context_for(folder, url)
    assert runner.apply(url, context=context, sink=ListSink(), cancel=CancelToken()) == 2
    with pytest.raises(Refused, match="002_flag.sql has no -- migrate:down"):
        runner.rollback(url, steps=2, context=context, sink=ListSink(), cancel=CancelToken())
    assert states(runner, url) == {"001": A, "002": A}  # 001 has a down part: still applied


def test_check_apply_refuses_edits_only_where_the_runner_would_skip_them(tmp_path: Path) -> None:
    edited = (migration("001", MigrationState.MODIFIED),)
    with pytest.raises(Refused, match="001_users.sql changed after it was applied"):
        Runner(SqlAdapter(), tmp_path).check_apply(edited)
    Runner(DbmateAdapter(), tmp_path).check_apply(edited)  # the tool decides for itself
