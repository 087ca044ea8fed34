"""On the embedded cluster (no `[database] url`: the default) worktrees connect as the project's
own role, not the superuser. Every path that copies or fills a worktree's database — a template
clone on create and reset, `create --from`, `clone`, restore, rebuild — must leave it the
role's, as a replayed create does: the worktree, with the URL in its `.env`, then migrates,
writes and rolls back, and the migrations name the worktree that applied them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from tests import steps
from tests.conftest import drop_project_databases
from tests.repo_factory import git, make_repo
from wttui import actions, plans_create, plans_data, plans_lifecycle
from wttui.actions.clone import clone
from wttui.actions.rebuild import rebuild
from wttui.actions.snapshot import restore, snapshot
from wttui.actions.templates import build
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.naming import role_name
from wttui.providers.envfile import read_env
from wttui.providers.local_cluster import LocalCluster
from wttui.providers.server import Server
from wttui.services import Services
from wttui.snapshot import read_view

Embedded = Callable[..., Services]

NEXT = (
    "-- migrate:up\nCREATE TABLE notes (id serial PRIMARY KEY, body text);\n"
    "-- migrate:down\nDROP TABLE notes;\n"
)


@pytest.fixture
def embedded(tmp_path: Path, pg_cluster: LocalCluster, pg_admin_url: str) -> Iterator[Embedded]:
    """`embedded(config="")`: a repository with no server configured, on the session's
    embedded cluster, so its worktrees connect as the project's role (`owns_roles`)."""
    made: list[str] = []

    def make(config: str = "") -> Services:
        root = make_repo(tmp_path / f"r{len(made)}", pg_admin_url)
        (root / ".wttui.toml").write_text(
            f'[project]\nname = "{root.name}"\n\n[database]\n{config}'
        )
        git(root, "commit", "-q", "-am", "the embedded default")
        made.append(root.name)
        services = Services.from_path(root, server=Server(cluster=pg_cluster))
        assert services.server.owns_roles
        return services

    yield make
    for project in made:
        drop_project_databases(pg_admin_url, project)
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(  # the schema strategy's one database
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(project))
            )
            conn.execute(
                sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role_name(project)))
            )


def _env_url(services: Services, branch: str) -> str:
    """The URL in the worktree's `.env`; for a schema, libpq's form of it (the `.env` has
    Prisma's `?schema=`, which libpq does not take)."""
    url = read_env(steps.path_of(services, branch) / ".env")["DATABASE_URL"]
    target = read_view(services, branch).target
    assert target is not None
    if target.schema is not None:
        assert url == target.url
        return target.connect_url
    return url


def _works_for_its_worktree(services: Services, branch: str, *, applied_by: str) -> None:
    """What a user does next: migrate a new migration, write with the `.env` URL, roll back;
    and the migrations that were there name `applied_by`."""
    url = _env_url(services, branch)
    before = read_view(services, branch).migrations
    assert [m.applied_by for m in before if m.applied_by] == [applied_by] * 2
    (steps.path_of(services, branch) / "migrations/003_notes.sql").write_text(NEXT)
    assert steps.migrate(services, branch) == 1
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO users (email) VALUES ('me@x')")
        conn.execute("INSERT INTO notes (body) VALUES ('mine')")
        owners = conn.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
        schema_owner = conn.execute(
            "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = current_schema()"
        ).fetchone()
        database_owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    role = role_name(services.project)
    assert owners == [(role,)]
    assert schema_owner in ((role,), ("pg_database_owner",))  # `public`: the database owner's
    assert database_owner == (role,)
    assert steps.rollback(services, branch) == 1
    statuses = {m.version: m.applied_by for m in read_view(services, branch).migrations}
    assert statuses["002"] == applied_by


def _take_snapshot(services: Services, branch: str, name: str) -> None:
    plan = plans_lifecycle.plan_snapshot(services, branch, name=name)
    snapshot(services, plan, sink=ListSink(), cancel=CancelToken())


def test_a_create_cloned_from_the_template_cache_is_the_worktrees(embedded: Embedded) -> None:
    services = embedded()
    git(services.root, "branch", "feat/a")
    git(services.root, "branch", "feat/b")
    steps.create(services, "feat/a")
    assert build(services, sink=ListSink(), cancel=CancelToken()) is not None
    sink = ListSink()
    steps.create(services, "feat/b", sink=sink)
    assert "Cloning template wttui_tpl_" in sink.text
    _works_for_its_worktree(services, "feat/b", applied_by="feat/b")


def test_a_reset_from_the_template_cache_is_the_worktrees(embedded: Embedded) -> None:
    services = embedded()
    git(services.root, "branch", "feat/a")
    steps.create(services, "feat/a")
    assert build(services, sink=ListSink(), cancel=CancelToken()) is not None
    sink = ListSink()
    steps.reset(services, "feat/a", sink=sink)
    assert "Cloning template wttui_tpl_" in sink.text
    _works_for_its_worktree(services, "feat/a", applied_by="feat/a")


@pytest.mark.parametrize("method", ["template", "dump"])
def test_a_restored_database_is_the_worktrees(embedded: Embedded, method: str) -> None:
    services = embedded(f'\n[snapshots]\nmethod = "{method}"\n')
    git(services.root, "branch", "feat/a")
    steps.create(services, "feat/a")
    _take_snapshot(services, "feat/a", "good")
    plan = plans_lifecycle.plan_restore(services, "feat/a", "good")
    restore(services, plan, sink=ListSink(), cancel=CancelToken())
    _works_for_its_worktree(services, "feat/a", applied_by="feat/a")


def test_a_clone_is_the_destinations(embedded: Embedded) -> None:
    services = embedded()
    for branch in ("feat/src", "feat/dst"):
        git(services.root, "branch", branch)
        steps.create(services, branch)
    plan = plans_data.plan_clone(services, "feat/src", "feat/dst")
    clone(services, plan, sink=ListSink(), cancel=CancelToken())
    # The data, and the record of who applied its migrations, came from feat/src.
    _works_for_its_worktree(services, "feat/dst", applied_by="feat/src")


def test_a_create_from_another_worktree_is_the_new_worktrees(embedded: Embedded) -> None:
    services = embedded()
    git(services.root, "branch", "feat/src")
    git(services.root, "branch", "feat/copy")
    steps.create(services, "feat/src")
    plan = plans_create.plan_create(services, "feat/copy")
    plan = plans_data.plan_create_from(services, plan, "feat/src")
    actions.create(services, plan, sink=ListSink(), cancel=CancelToken())
    _works_for_its_worktree(services, "feat/copy", applied_by="feat/src")


def test_a_rebuilt_database_is_the_worktrees(embedded: Embedded) -> None:
    services = embedded()
    git(services.root, "branch", "feat/a")
    steps.create(services, "feat/a")
    plan = plans_data.plan_rebuild(services, "feat/a", "002")
    rebuild(services, plan, sink=ListSink(), cancel=CancelToken())
    _works_for_its_worktree(services, "feat/a", applied_by="feat/a")


SCHEMA = 'strategy = "schema"\n'


def test_schema_copies_are_the_worktrees(embedded: Embedded) -> None:
    """The schema strategy: `create --from`, `clone` and a restore (of a dump) leave the
    worktree's schema the role's."""
    services = embedded(SCHEMA)
    for branch in ("feat/src", "feat/copy", "feat/dst"):
        git(services.root, "branch", branch)
    steps.create(services, "feat/src")
    steps.create(services, "feat/dst")
    plan = plans_data.plan_create_from(
        services, plans_create.plan_create(services, "feat/copy"), "feat/src"
    )
    actions.create(services, plan, sink=ListSink(), cancel=CancelToken())
    _works_for_its_worktree(services, "feat/copy", applied_by="feat/src")

    clone(
        services,
        plans_data.plan_clone(services, "feat/src", "feat/dst"),
        sink=ListSink(),
        cancel=CancelToken(),
    )
    _take_snapshot(services, "feat/dst", "copied")
    restore(
        services,
        plans_lifecycle.plan_restore(services, "feat/dst", "copied"),
        sink=ListSink(),
        cancel=CancelToken(),
    )
    _works_for_its_worktree(services, "feat/dst", applied_by="feat/src")
