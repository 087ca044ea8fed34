"""The file watcher wakes for what a user changes, never for wttui's own reads."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import steps
from wttui.providers.watcher import watch
from wttui.services import Services
from wttui.snapshot import read_snapshot


@pytest.fixture
def watching(repo: Path) -> Iterator[tuple[Services, queue.Queue[set[Path]]]]:
    services = Services.from_path(repo)
    steps.create(services, "feat/w")
    watched = read_snapshot(services).watched
    events: queue.Queue[set[Path]] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(watched, events.put, stop), daemon=True)
    thread.start()
    time.sleep(0.5)  # the OS watches are in place
    yield services, events
    stop.set()
    thread.join(10)


def test_wttuis_own_reads_do_not_wake_the_watcher(
    watching: tuple[Services, queue.Queue[set[Path]]],
) -> None:
    services, events = watching
    worktree = services.resolve("feat/w").path
    # Make git want to refresh the index's stat data (what `git status` would write back).
    readme = worktree / "README.md"
    stamp = time.time() + 5
    os.utime(readme, (stamp, stamp))
    index = services.git.admin_dir(worktree)
    assert index is not None
    index_before = (index / "index").stat().st_mtime_ns
    for _ in range(3):
        services.git.list_worktrees()
        read_snapshot(services)
    assert (index / "index").stat().st_mtime_ns == index_before  # reads never write
    with pytest.raises(queue.Empty):
        events.get(timeout=1.5)


def test_a_users_change_wakes_it(watching: tuple[Services, queue.Queue[set[Path]]]) -> None:
    services, events = watching
    env = services.resolve("feat/w").path / ".env"
    env.write_text(env.read_text() + "EXTRA=1\n")
    changed = events.get(timeout=10)
    assert env in changed
