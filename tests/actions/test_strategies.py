"""The schema and shared strategies, and per-worktree overrides, on the real server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests import steps
from tests.repo_factory import git, make_repo
from wttui.core.logsink import CancelToken, ListSink
from wttui.errors import Refused
from wttui.plans_remove import plan_remove
from wttui.providers.envfile import read_env
from wttui.providers.postgres import PostgresProvider
from wttui.services import Services
from wttui.snapshot import read_view


@pytest.fixture
def make(
    tmp_path: Path, pg: PostgresProvider, pg_admin_url: str
) -> Iterator[Callable[[str], Services]]:
    """`make(config)`: a repository whose `[database]` table ends with `config`; its databases
    are dropped afterwards."""
    roots: list[Path] = []

    def build(extra_config: str) -> Services:
        root = make_repo(tmp_path / f"r{len(roots)}", pg_admin_url, extra_config=extra_config)
        roots.append(root)
        return Services.from_path(root)

    yield build
    for root in roots:
        for info in pg.list_databases():
            if info.name == root.name or info.name.startswith(root.name + "_"):
                pg.drop_database(info.name, force=True)


def create(services: Services, branch: str) -> None:
    steps.create(services, branch, sink=ListSink(), cancel=CancelToken())


def tables_by_schema(url: str) -> dict[str, set[str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    found: dict[str, set[str]] = {}
    for schema, table in rows:
        found.setdefault(schema, set()).add(table)
    return found


def test_schema_per_worktree_end_to_end(make: Callable[[str], Services]) -> None:
    services = make('strategy = "schema"\n[env.keys]\nDB_SCHEMA = "{schema}"\n')
    create(services, "feat/a")
    create(services, "feat/b")
    a, b = read_view(services, "feat/a"), read_view(services, "feat/b")
    assert a.target is not None
    assert b.target is not None
    assert a.target.name == b.target.name == services.project  # one database …
    assert (a.target.schema, b.target.schema) == ("feat__a", "feat__b")  # … a schema each
    assert a.shared_with == ()  # own schemas are not sharing
    assert a.counts.applied == 2

    env = read_env(a.worktree.path / ".env")
    assert env["DATABASE_URL"].endswith(f"/{services.project}?schema=feat__a")
    assert env["DB_SCHEMA"] == "feat__a"
    tables = tables_by_schema(a.target.connect_url)
    assert {"users", "orders", "wttui_schema_migrations"} <= tables["feat__a"]
    assert {"users", "orders"} <= tables["feat__b"]
    assert "users" not in tables.get("public", set())

    (a.worktree.path / "migrations/003_flag.sql").write_text(
        "ALTER TABLE users ADD COLUMN flag bool;\n"
    )
    assert steps.migrate(services, "feat/a", sink=ListSink(), cancel=CancelToken()) == 1
    assert read_view(services, "feat/b").counts.pending == 0  # feat/b has no 003 and never saw it

    sink = ListSink()
    steps.remove(services, "feat/a", force=True, sink=sink, cancel=CancelToken())
    assert "Moving schema feat__a to the trash as wttui_trash_" in sink.text  # soft: undo-able
    tables = tables_by_schema(b.target.connect_url)
    assert "feat__a" not in tables
    assert any(name.startswith("wttui_trash_") and name.endswith("_feat__a") for name in tables)
    assert {"users", "orders"} <= tables["feat__b"]


def test_shared_database_guard_rails(make: Callable[[str], Services], tmp_path: Path) -> None:
    services = make('strategy = "shared"\n')
    create(services, "epic3")
    create(services, "epic5")
    view = read_view(services, "epic3")
    assert view.target is not None
    assert view.target.name == services.project
    assert view.target.shared
    assert set(view.shared_with) == {"main", "epic5"}

    # A worktree made with plain git shows against the shared database, already there.
    git(services.root, "worktree", "add", "-q", "-b", "outside", str(tmp_path / "outside"))
    outside = read_view(services, "outside")
    assert outside.target is not None
    assert outside.target.name == services.project
    assert outside.database is not None

    with pytest.raises(Refused, match="never resets a shared database"):
        steps.reset(services, "epic3", sink=ListSink(), cancel=CancelToken())
    plan = plan_remove(services, "epic3")
    assert not plan.will_drop
    sink = ListSink()
    steps.remove(services, "epic3", sink=sink, cancel=CancelToken())
    assert "Keeping shared database" in sink.text
    assert services.server.provider().database_exists(services.project)
    assert read_view(services, "epic5").counts.applied == 2


def test_one_worktree_can_use_another_strategy(make: Callable[[str], Services]) -> None:
    services = make('[worktrees."hotfix/login"]\nstrategy = "shared"\n')
    create(services, "feat/own")
    create(services, "hotfix/login")
    own, hotfix = read_view(services, "feat/own"), read_view(services, "hotfix/login")
    assert own.target is not None
    assert hotfix.target is not None
    assert (own.target.strategy, own.target.name) == ("database", f"{services.project}_feat__own")
    assert (hotfix.target.strategy, hotfix.target.name) == ("shared", services.project)
    with pytest.raises(Refused):
        steps.reset(services, "hotfix/login", sink=ListSink(), cancel=CancelToken())
