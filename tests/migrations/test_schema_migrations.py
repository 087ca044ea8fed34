"""`schema_migrations`: three tools, one name — each adapter reads only its own tool's shape,
found through the worktree's `search_path` (MIGRATION-TOOLS.md, "Table-name collisions")."""

from __future__ import annotations

import psycopg

from tests.repo_factory import run_sql
from wttui.core.urls import with_query
from wttui.migrations.tools.dbmate import DbmateAdapter
from wttui.migrations.tools.golang_migrate import GolangMigrateAdapter

DBMATE_DDL = "create table if not exists public.schema_migrations (version varchar primary key)"
GOLANG_DDL = (
    'CREATE TABLE IF NOT EXISTS "public"."schema_migrations" '
    "(version bigint not null primary key, dirty boolean not null)"
)
RAILS_DDL = (
    'CREATE TABLE "schema_migrations" ("version" character varying NOT NULL PRIMARY KEY);'
    'CREATE TABLE "ar_internal_metadata" ("key" character varying NOT NULL PRIMARY KEY, '
    '"value" character varying, "created_at" timestamp(6) NOT NULL, '
    '"updated_at" timestamp(6) NOT NULL)'
)


def test_schema_migrations_belongs_to_one_tool_only(url: str) -> None:
    dbmate, golang = DbmateAdapter(), GolangMigrateAdapter()
    with psycopg.connect(url, autocommit=True) as conn:
        assert dbmate.applied(conn) is None
        assert golang.applied(conn) is None

        conn.execute(GOLANG_DDL)
        conn.execute("INSERT INTO schema_migrations VALUES (3, false)")
        assert dbmate.applied(conn) is None  # has `dirty`: golang-migrate's
        assert [r.version for r in golang.applied(conn) or []] == ["3"]

        conn.execute("DROP TABLE schema_migrations")
        conn.execute(DBMATE_DDL)
        conn.execute("INSERT INTO schema_migrations VALUES ('3')")
        assert golang.applied(conn) is None  # only `version`: dbmate's (or Rails')
        assert [r.version for r in dbmate.applied(conn) or []] == ["3"]

        conn.execute("DROP TABLE schema_migrations")
        conn.execute(RAILS_DDL)
        conn.execute("INSERT INTO schema_migrations VALUES ('20240101000000')")
        assert dbmate.applied(conn) is None  # `ar_internal_metadata` beside it: Rails'
        assert golang.applied(conn) is None


def test_schema_migrations_is_found_through_the_worktrees_search_path(url: str) -> None:
    """The schema strategy's worktrees connect with `search_path` set: the tools create their
    table there, unqualified, and wttui reads it there."""
    run_sql(
        url,
        "CREATE SCHEMA wt",
        DBMATE_DDL.replace("public.", "wt."),
        "INSERT INTO wt.schema_migrations VALUES ('001')",
    )
    with psycopg.connect(url, autocommit=True) as conn:
        assert DbmateAdapter().applied(conn) is None  # not in public
    worktree_url = with_query(url, options="-csearch_path=wt")
    with psycopg.connect(worktree_url, autocommit=True) as conn:
        assert [r.version for r in DbmateAdapter().applied(conn) or []] == ["001"]
