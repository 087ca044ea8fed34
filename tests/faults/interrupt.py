"""Interrupting the real `wttui` at chosen moments: a gate that holds git half way through a
checkout, the installed command started in its own process group (as a shell starts a job, so
a signal to the group is what a terminal's Ctrl-C sends), and what a finished create must look
like afterwards.

The gate is a git smudge filter on one file in the middle of the tree (`m-gate.txt`): while
its hold file exists the filter blocks, so `git worktree add` has checked out every file
sorted before it (`a…`) and none after it (`z…`). The filter writes its parent's pid (the git
that checks out) when it is reached, so a test can kill that git's process group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable

import psycopg
from psycopg import sql

from tests.faults.scene import Scene, installed_wttui
from tests.repo_factory import git
from wttui.core.urls import with_database

BEFORE = [f"a{i:03}.txt" for i in range(150)]
"""Files git checks out before the gate."""
AFTER = [f"z{i:03}.txt" for i in range(150)]
"""Files git checks out after the gate."""

SLOW_MIGRATION = (
    "-- migrate:up\n"
    "SELECT pg_sleep(coalesce(nullif(current_setting('wttui_test.sleep', true), ''), '0')"
    "::float);\n"
    "CREATE TABLE slow (id int);\n"
    "-- migrate:down\nDROP TABLE slow;\n"
)
"""Sleeps as long as the session's `wttui_test.sleep` says (set through `PGOPTIONS` for the
run to interrupt; unset on the re-run, which then applies it at once)."""
SLEEPING = {"PGOPTIONS": "-c wttui_test.sleep=120"}


def wait_until(condition: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Gate:
    """The smudge filter that holds a checkout half way (see the module docstring)."""

    def __init__(self, scene: Scene) -> None:
        self.dir = scene.base / "gate"
        self.dir.mkdir()
        self.hold_file = self.dir / "hold"
        self.reached_file = self.dir / "reached"
        script = self.dir / "smudge.sh"
        script.write_text(
            "#!/bin/sh\n"
            f"echo $PPID > '{self.reached_file}.tmp' && mv '{self.reached_file}.tmp' "
            f"'{self.reached_file}'\n"
            f"while [ -e '{self.hold_file}' ]; do sleep 0.02; done\n"
            "exec cat\n"
        )
        script.chmod(0o755)
        root = scene.root
        files = {name: f"{name}\n" for name in [*BEFORE, "m-gate.txt", *AFTER]}
        for name, text in files.items():
            (root / name).write_text(text)
        (root / ".gitattributes").write_text("m-gate.txt filter=gate\n")
        git(root, "config", "filter.gate.smudge", str(script))
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "files to check out")

    def hold(self) -> None:
        self.reached_file.unlink(missing_ok=True)
        self.hold_file.touch()

    def release(self) -> None:
        self.hold_file.unlink(missing_ok=True)

    def wait_reached(self) -> int:
        """Wait until git is held at the gate; the pid of the git that checks out."""
        wait_until(self.reached_file.exists, "git to reach the gate")
        return int(self.reached_file.read_text())


class Running:
    """The installed `wttui ARGS` running in its own process group, stderr gathered."""

    def __init__(self, scene: Scene, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [installed_wttui(), *args],
            cwd=scene.root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={
                **os.environ,
                "WTTUI_DATA_DIR": str(scene.base / "wttui-data"),
                **(env or {}),
            },
            process_group=0,
        )
        self._err: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._err.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self._err)

    def wait_for(self, text: str, timeout: float = 30.0) -> None:
        wait_until(
            lambda: text in self.stderr or self.process.poll() is not None, repr(text), timeout
        )
        assert text in self.stderr, self.stderr

    def signal_group(self, sig: signal.Signals) -> None:
        """`sig` to wttui's process group: what a terminal sends on Ctrl-C (SIGINT)."""
        os.killpg(self.process.pid, sig)

    def finish(self, timeout: float = 60.0) -> tuple[int, str]:
        """Exit code and stderr once it ended."""
        code = self.process.wait(timeout)
        self._reader.join(5)
        return code, self.stderr


def wttui_lines(stderr: str) -> list[str]:
    """The lines wttui itself says as `wttui: …` (errors, cancels, aborts)."""
    return [line for line in stderr.splitlines() if line.startswith("wttui:")]


def query(url: str, statement: str, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return list(conn.execute(statement, params).fetchall())


def applied(scene: Scene, database: str) -> list[tuple[str, str]]:
    """The built-in runner's tracking rows of `database`: (version, status)."""
    url = with_database(scene.admin_url, database)
    with psycopg.connect(url, autocommit=True) as conn:
        found = conn.execute("SELECT to_regclass('public.wttui_schema_migrations')").fetchone()
        if found is None or found[0] is None:
            return []
        rows = conn.execute(
            sql.SQL("SELECT version, status FROM {} ORDER BY version").format(
                sql.Identifier("wttui_schema_migrations")
            )
        ).fetchall()
    return [(str(version), str(status)) for version, status in rows]


def tables(scene: Scene, database: str) -> set[str]:
    url = with_database(scene.admin_url, database)
    rows = query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {str(row[0]) for row in rows}


def worktrees(scene: Scene) -> list[dict[str, str]]:
    """`git worktree list --porcelain` as one dict per worktree."""
    found: list[dict[str, str]] = []
    for block in git(scene.root, "worktree", "list", "--porcelain").strip().split("\n\n"):
        fields = {}
        for line in block.splitlines():
            key, _, value = line.partition(" ")
            fields[key] = value
        found.append(fields)
    return found


def sleeping_migration(scene: Scene, database: str) -> bool:
    """True while a session of `database` runs the slow migration's sleep."""
    rows = query(
        scene.admin_url,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND query LIKE %s",
        database,
        "%pg_sleep%wttui_test.sleep%",
    )
    return bool(rows[0][0])


def kill_group_of(pid: int, sig: signal.Signals = signal.SIGKILL) -> None:
    os.killpg(os.getpgid(pid), sig)
