"""wttui's side table of owners: one row per tool, version and schema."""

from __future__ import annotations

from pathlib import Path

import psycopg

from wttui.migrations import owners
from wttui.migrations.adapter import ApplyContext


def context(branch: str) -> ApplyContext:
    return ApplyContext(worktree=branch, branch=branch, commit="abc", path=Path("."))


def test_worktree_schemas_keep_their_own_owners(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA feat_a; CREATE SCHEMA feat_b")
    for schema, branch in (("feat_a", "feat/a"), ("feat_b", "feat/b")):
        with psycopg.connect(url, autocommit=True, options=f"-csearch_path={schema}") as conn:
            owners.record(conn, "dbmate", [("001", "users", "sum")], context(branch))
    for schema, branch in (("feat_a", "feat/a"), ("feat_b", "feat/b")):
        with psycopg.connect(url, autocommit=True, options=f"-csearch_path={schema}") as conn:
            assert owners.read(conn, "dbmate")["001"].branch == branch
    with psycopg.connect(url, autocommit=True, options="-csearch_path=feat_a") as conn:
        owners.forget(conn, "dbmate", ["001"])
        assert owners.read(conn, "dbmate") == {}
    with psycopg.connect(url, autocommit=True, options="-csearch_path=feat_b") as conn:
        assert "001" in owners.read(conn, "dbmate")  # the other worktree's row stays
