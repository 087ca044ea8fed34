"""The migration lock: a tool's CLI does not start while another run holds the database's lock;
the waiting run says who holds it, and can be cancelled without anything running. Bounded in
time: every wait gives up after a few seconds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from wttui.core.logsink import CancelToken, ListSink
from wttui.errors import Cancelled
from wttui.migrations.adapter import ApplyContext
from wttui.migrations.lock import KEY, holder
from wttui.migrations.runner import Runner
from wttui.migrations.tools.dbmate import DbmateAdapter


def tool_run(tmp_path: Path) -> tuple[Runner, Path]:
    """A CLI tool whose "apply" leaves a mark file: what ran, and when."""
    mark = tmp_path / "ran"
    folder = tmp_path / "db/migrations"
    folder.mkdir(parents=True)
    return Runner(DbmateAdapter(), folder, apply=("sh", "-c", f"date +%s.%N > {mark}")), mark


def context(tmp_path: Path) -> ApplyContext:
    return ApplyContext(worktree="wt", branch="feat/b", commit="abc", path=tmp_path)


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


def test_a_tools_cli_waits_for_the_lock_and_says_who_holds_it(tmp_path: Path, url: str) -> None:
    runner, mark = tool_run(tmp_path)
    sink = ListSink()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            runner.apply(url, context=context(tmp_path), sink=sink, cancel=CancelToken())
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    with psycopg.connect(url, autocommit=True, application_name="wttui migrate feat/a") as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", KEY)
        thread = threading.Thread(target=run)
        thread.start()
        wait_until(lambda: "holds this database's lock" in sink.text)
        time.sleep(0.5)
        assert not mark.exists()  # the tool has not started
        assert "pid" in sink.text
        assert "(wttui migrate feat/a)" in sink.text
        released = time.time()
        other.execute("SELECT pg_advisory_unlock(%s, %s)", KEY)
    thread.join(30)
    assert errors == []
    assert float(mark.read_text()) >= released - 0.01  # it ran after the release
    assert "Got the migration lock" in sink.text


def test_the_lock_is_held_while_the_tools_cli_runs(tmp_path: Path, url: str) -> None:
    folder = tmp_path / "db/migrations"
    folder.mkdir(parents=True)
    seen: list[str] = []
    runner = Runner(DbmateAdapter(), folder, apply=("sleep", "1.5"))
    thread = threading.Thread(
        target=lambda: runner.apply(
            url, context=context(tmp_path), sink=ListSink(), cancel=CancelToken()
        )
    )
    thread.start()
    with psycopg.connect(url, autocommit=True) as conn:
        wait_until(lambda: holder(conn) is not None)
        found = holder(conn)
        assert found is not None
        seen.append(found.application or "")
    thread.join(30)
    assert seen == ["wttui migrate feat/b"]


def test_cancel_while_waiting_runs_nothing(tmp_path: Path, url: str) -> None:
    runner, mark = tool_run(tmp_path)
    cancel = CancelToken()
    sink = ListSink()
    with psycopg.connect(url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", KEY)
        timer = threading.Timer(0.5, cancel.cancel)
        timer.start()
        with pytest.raises(Cancelled, match="waiting for the migration lock"):
            runner.apply(url, context=context(tmp_path), sink=sink, cancel=cancel)
        timer.join()
    assert not mark.exists()
