"""Rails ActiveRecord (MIGRATION-TOOLS.md §7) against a real database: `schema_migrations` and
`ar_internal_metadata` created with Rails' own DDL and filled the way Rails fills them, read
through a `Runner` (Rails' gems can't be installed here)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.migrations.tools.conftest import (
    A,
    E,
    M,
    P,
    by_version,
    remember,
    states,
    write,
)
from tests.repo_factory import run_sql, tables
from wttui.errors import MigrationFileError
from wttui.migrations.runner import Runner
from wttui.migrations.tools.dbmate import DbmateAdapter
from wttui.migrations.tools.rails import RailsAdapter

RAILS_DDL = (
    'CREATE TABLE "schema_migrations" ("version" character varying NOT NULL PRIMARY KEY);'
    'CREATE TABLE "ar_internal_metadata" ("key" character varying NOT NULL PRIMARY KEY, '
    '"value" character varying, "created_at" timestamp(6) NOT NULL, '
    '"updated_at" timestamp(6) NOT NULL);'
    "INSERT INTO ar_internal_metadata VALUES ('environment', 'development', now(), now())"
)
DBMATE_DDL = "create table if not exists public.schema_migrations (version varchar primary key)"


RB = "class AddUsers < ActiveRecord::Migration[7.1]\n  def change\n  end\nend\n"


def test_rails_detect(tmp_path: Path) -> None:
    adapter = RailsAdapter()
    app = write(
        tmp_path / "app",
        {"config/database.yml": "", "db/migrate/20240101000000_add_users.rb": RB},
    )
    assert adapter.detect(app)
    binstub = write(tmp_path / "bin", {"bin/rails": "", "db/migrate/001_x.rb": RB})
    assert adapter.detect(binstub)
    loose = write(tmp_path / "loose", {"db/migrate/20240101000000_add_users.rb": RB})
    assert not adapter.detect(loose)  # no Rails app around it
    empty = write(tmp_path / "noruby", {"bin/rails": "", "db/migrate/README": ""})
    assert not adapter.detect(empty)
    assert not adapter.detect(tmp_path / "empty")


def test_rails_local_versions_as_rails_normalises_them(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "db" / "migrate",
        {
            "20240102000000_add_orders.rb": RB,
            "20240101000000_add_users.rb": RB,
            "1_first.rb": RB,
            "20240103000000_engine_thing.my_engine.rb": RB,
            "20240104000000_AddCaps.rb": RB,  # capitals: not a Rails migration name
            "notes.md": "",
        },
    )
    assert [(m.version, m.name) for m in RailsAdapter().local(folder)] == [
        ("001", "first"),
        ("20240101000000", "add_users"),
        ("20240102000000", "add_orders"),
        ("20240103000000", "engine_thing"),
    ]
    write(folder, {"001_again.rb": RB})
    with pytest.raises(MigrationFileError, match="share version 001"):
        RailsAdapter().local(folder)


def test_rails_states(tmp_path: Path, url: str) -> None:
    folder = write(
        tmp_path / "db" / "migrate",
        {
            "1_first.rb": RB,
            "20240101000000_add_users.rb": RB,
            "20240102000000_add_orders.rb": RB,
            "20240103000000_add_items.rb": RB,
        },
    )
    runner = Runner(RailsAdapter(), folder)
    all_pending = {"001": P, "20240101000000": P, "20240102000000": P, "20240103000000": P}
    assert states(runner, url) == all_pending  # no table: nothing applied
    assert tables(url) == set()

    run_sql(url, DBMATE_DDL, "INSERT INTO schema_migrations VALUES ('20240101000000')")
    assert states(runner, url) == all_pending  # dbmate's table, not Rails'
    with psycopg.connect(url, autocommit=True) as conn:
        assert [r.version for r in DbmateAdapter().applied(conn) or []] == ["20240101000000"]

    run_sql(url, "DROP TABLE schema_migrations", RAILS_DDL)
    run_sql(
        url,
        *(
            ("INSERT INTO schema_migrations (version) VALUES (%s)", (v,))
            for v in ("1", "20240101000000", "20240103000000", "20990101000000")
        ),
    )
    statuses = by_version(runner.status(url))
    assert {v: s.state for v, s in statuses.items()} == {
        "001": A,  # stored as `1`, the integer's text
        "20240101000000": A,
        "20240102000000": P,
        "20240103000000": A,
        "20990101000000": E,
    }
    assert statuses["20240102000000"].out_of_order  # Rails would still run it
    assert not statuses["20240101000000"].out_of_order
    assert all(s.has_down for s in statuses.values())

    remember(runner, url)  # Rails keeps no checksum: wttui's, recorded at an apply
    (folder / "20240101000000_add_users.rb").write_text(RB.replace("AddUsers", "AddPeople"))
    assert states(runner, url)["20240101000000"] is M

    run_sql(url, "DELETE FROM schema_migrations WHERE version = '20240103000000'")  # rollback
    assert states(runner, url)["20240103000000"] is P
