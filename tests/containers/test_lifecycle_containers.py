"""The database lifecycle on the container strategy, with the real Docker engine: a removed
worktree's container goes to the trash whole (its volume with it) and `undo` brings both back;
`create --from` copies one container's data into another's; a reset keeps the old database in
the trash inside the container, and a snapshot of it is a dump by the server's pg_dump."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import psycopg

from tests import steps
from tests.cli.conftest import wttui
from wttui.core.logsink import CancelToken, ListSink
from wttui.services import Services


def _emails(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute("SELECT email FROM users ORDER BY id")]


def test_remove_undo_and_create_from_with_containers(
    container_repo: Callable[..., Services],
) -> None:
    services = container_repo()
    root = services.root
    view = steps.create(services, "feat/a", sink=ListSink(), cancel=CancelToken())
    assert view.target is not None
    url = view.target.url
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO users (email) VALUES ('in-a@x')")

    copied = wttui(root, "create", "feat/b", "--from", "feat/a")
    assert copied.returncode == 0, copied.stderr
    assert "pg_dump | pg_restore" in copied.stderr
    b = Services.from_path(root)
    b_target = b.context_of("feat/b").target
    assert _emails(b_target.url) == ["in-a@x"]

    snap = wttui(root, "snapshot", "feat/a", "--name", "s1")
    assert snap.returncode == 0, snap.stderr
    assert "pg_dump" in snap.stderr

    assert wttui(root, "remove", "feat/a", "--yes").returncode == 0
    trash = json.loads(wttui(root, "trash", "--json").stdout)
    assert [(t["kind"], t["original"]) for t in trash] == [("container", view.target.container)]
    undone = wttui(root, "undo", "--yes")
    assert undone.returncode == 0, undone.stderr
    back = Services.from_path(root).context_of("feat/a").target
    emails: list[str] = []
    for _ in range(100):  # the container was started again: wait until it accepts connections
        try:
            emails = _emails(back.url)
            break
        except psycopg.OperationalError:
            time.sleep(0.3)
    assert emails == ["in-a@x"]

    reset = wttui(root, "reset", "feat/a", "--yes")
    assert reset.returncode == 0, reset.stderr
    assert _emails(back.url) == []
    trash = json.loads(wttui(root, "trash", "--json").stdout)
    assert trash[0]["kind"] == "container database"
    assert wttui(root, "undo", "--yes").returncode == 0
    assert _emails(back.url) == ["in-a@x"]
