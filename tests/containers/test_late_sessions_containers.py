"""The container strategy: a session opened on a worktree's container database after its remove
was planned is not ended by stopping the container unless the remove was forced — the same
rule as a database on a shared server."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from tests import steps
from tests.containers.conftest import remove_project
from wttui import actions, plans_remove
from wttui.core.logsink import CancelToken, ListSink
from wttui.errors import DatabaseInUse
from wttui.providers.docker_engine import DockerProvider
from wttui.services import Services

Factory = Callable[..., Services]


def test_a_session_opened_after_the_plan_stops_the_remove_of_a_container(
    container_repo: Factory, docker: DockerProvider
) -> None:
    services = container_repo()
    try:
        view = steps.create(services, "feat/boxed")
        assert view.target is not None
        assert view.target.container is not None
        plan = plans_remove.plan_remove(services, "feat/boxed")
        assert plan.will_drop
        with psycopg.connect(view.target.url, autocommit=True) as conn:
            with pytest.raises(DatabaseInUse, match=r"1 open session\(s\), opened after"):
                actions.remove(services, plan, sink=ListSink(), cancel=CancelToken())
            assert conn.execute("SELECT 1").fetchone() == (1,)  # not ended
        assert view.worktree.path.exists()
        found = docker.get(view.target.container)
        assert found is not None
        assert found.running

        forced = plans_remove.plan_remove(services, "feat/boxed", force=True)
        with psycopg.connect(view.target.url, autocommit=True):
            actions.remove(services, forced, sink=ListSink(), cancel=CancelToken())
        assert not view.worktree.path.exists()
    finally:
        remove_project(docker, services.project)
