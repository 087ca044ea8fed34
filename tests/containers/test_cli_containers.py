"""The container commands through the real `wttui` CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.cli.test_cli import wttui
from wttui.services import Services


def test_status_json_start_stop_logs(container_repo: Callable[..., Services]) -> None:
    root = container_repo().root
    assert wttui(root, "create", "feat/cli").returncode == 0

    def entry() -> dict[str, object]:
        done = wttui(root, "status", "--json")
        assert done.returncode == 0, done.stderr
        rows = {row["branch"]: row for row in json.loads(done.stdout)}
        database = rows["feat/cli"]["database"]
        assert isinstance(database, dict)
        return database

    database = entry()
    assert database["strategy"] == "container"
    assert database["container"] == f"{root.name}_feat__cli"
    assert database["state"] == "running"
    assert "***" in str(database["url"])

    assert wttui(root, "stop", "feat/cli").returncode == 0
    assert entry()["state"] == "exited"
    logs = wttui(root, "logs", "feat/cli")
    assert logs.returncode == 0
    assert "database system" in logs.stderr
    assert wttui(root, "start", "feat/cli").returncode == 0
    assert entry()["state"] == "running"


def test_container_commands_on_another_strategy_say_why(repo: Path) -> None:
    done = wttui(repo, "stop", "main")
    assert done.returncode == 2
    assert "uses the database strategy: it has no container" in done.stderr
