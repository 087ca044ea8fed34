"""Issue 10 item 3 on the real Docker engine: a container left by a hand `git worktree remove`
and a kept volume are orphans; cleaning removes them and the live worktree's container stays."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.cli.conftest import wttui
from tests.repo_factory import git
from wttui.providers.docker_engine import DockerProvider
from wttui.services import Services


def test_container_and_volume_orphans_are_listed_and_cleaned(
    container_repo: Callable[..., Services], docker: DockerProvider
) -> None:
    services = container_repo(keep_volume=True)
    root = services.root
    for branch in ("feat/live", "feat/gone", "feat/kept"):
        done = wttui(root, "create", branch)
        assert done.returncode == 0, done.stderr
    git(
        root,
        "worktree",
        "remove",
        "--force",
        str(root.parent / f"{root.name}-worktrees/feat--gone"),
    )
    removed = wttui(root, "remove", "feat/kept", "--yes")  # keep_volume: the volume stays
    assert removed.returncode == 0, removed.stderr

    listed = wttui(root, "orphans", "--json")
    assert listed.returncode == 0, listed.stderr
    found = {(o["kind"], o["name"]): o for o in json.loads(listed.stdout)["orphans"]}
    container = found[("container", f"{root.name}_feat__gone")]
    assert container["worktree"] == "feat/gone"
    assert container["last_used_is"] == "running now,"
    assert ("volume", f"{root.name}_feat__kept_pgdata") in found
    assert not any("feat_live" in name for _, name in found)

    cleaned = wttui(root, "orphans", "--clean", "--yes", "--json")
    assert cleaned.returncode == 0, cleaned.stderr
    assert len(json.loads(cleaned.stdout)["removed"]) == 2
    assert docker.get(f"{root.name}_feat__gone") is None
    assert docker.volume_labels(f"{root.name}_feat__gone_pgdata") is None
    assert docker.volume_labels(f"{root.name}_feat__kept_pgdata") is None
    live = docker.get(f"{root.name}_feat__live")
    assert live is not None
    assert live.running
    assert json.loads(wttui(root, "orphans", "--json").stdout)["orphans"] == []
