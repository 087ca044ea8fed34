"""One function per target of DESIGN §8, each measured as a user meets it."""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.repo import database_urls, git
from bench.terminal import time_to_text

BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App[None]):
    def compose(self):
        yield Static("hello, bare")

Bare().run()
"""


def median(fn: Callable[[], float], repeat: int) -> float:
    """The median of `repeat` runs, after one warm-up run that is not counted (a user's
    second start: bytecode written, files in the page cache)."""
    fn()
    return statistics.median(fn() for _ in range(repeat))


def paired_medians(
    first: Callable[[], float], second: Callable[[], float], repeat: int
) -> tuple[float, float]:
    """`median` of two measures taken in turns (one warm-up run each, then first, second,
    first, ...): on a shared machine, load that comes and goes falls on both alike, not on
    whichever block of runs it happened to meet."""
    first()
    second()
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        a.append(first())
        b.append(second())
    return statistics.median(a), statistics.median(b)


def user_env() -> dict[str, str]:
    """The environment a user's shell gives wttui: Python writes its bytecode cache
    (sandboxes and CI images often set PYTHONDONTWRITEBYTECODE, which would make every start
    compile wttui's modules again while Textual's came precompiled with its wheel)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def wall(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def p1_first_frame(root: Path, repeat: int) -> tuple[float, float]:
    """Seconds until the first screen is drawn in a 100×30 terminal: wttui, a bare one-widget
    Textual app. Both are fresh processes, timed from outside, in turns."""
    env = user_env()
    return paired_medians(
        lambda: time_to_text(
            [sys.executable, "-m", "wttui"], b"Worktrees", cwd=root, env=env, size=(100, 30)
        ),
        lambda: time_to_text(
            [sys.executable, "-c", BARE_APP], b"hello, bare", cwd=root, env=env, size=(100, 30)
        ),
        repeat,
    )


def p2_status(root: Path, repeat: int) -> tuple[float, float]:
    """Seconds for `wttui status --json` (a fresh process), and for the raw primitives a user
    would run instead: `git worktree list`, then one `psql` per database reading its table."""
    psql = shutil.which("psql")
    if psql is None:
        raise RuntimeError("psql is needed for P2's raw primitives")
    urls = database_urls(root)

    def status() -> None:
        subprocess.run(
            [sys.executable, "-m", "wttui", "status", "--json"],
            cwd=root,
            env=user_env(),
            check=True,
            capture_output=True,
        )

    def raw() -> None:
        git(root, "worktree", "list", "--porcelain")
        for url in urls:
            subprocess.run(
                [psql, "-X", "-Atq", url, "-c", "SELECT * FROM wttui_schema_migrations"],
                check=True,
                capture_output=True,
            )

    return paired_medians(lambda: wall(status), lambda: wall(raw), repeat)


DRIVER_FLOOR = """
import sys, psycopg
for url in sys.argv[1:]:
    with psycopg.connect(url) as conn:
        conn.execute("SELECT * FROM wttui_schema_migrations").fetchall()
"""


def p2_floor(root: Path, repeat: int) -> tuple[float, float]:
    """What any Python reader pays before doing wttui's work, against the raw primitives: a
    fresh interpreter that imports psycopg and reads each database's tracking table one after
    another (no git, no migration folders, no wttui); and a bare interpreter's start. P2's
    ratio cannot fall below the first over the raw primitives' time."""
    urls = database_urls(root)

    def floor() -> None:
        subprocess.run([sys.executable, "-c", DRIVER_FLOOR, *urls], env=user_env(), check=True)

    def bare() -> None:
        subprocess.run([sys.executable, "-c", "pass"], env=user_env(), check=True)

    return paired_medians(lambda: wall(floor), lambda: wall(bare), repeat)


def _cpu_ticks(pid: int) -> int:
    """CPU used by `pid` and its waited-for children (git), in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14))


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def p4_idle(root: Path, seconds: float) -> tuple[float, float]:
    """The app left open in tmux (100×30) on the repository: its CPU over `seconds`, as a
    percentage of one core, and its memory (RSS, MB), once its first data is shown."""
    socket = f"wttui-bench-{os.getpid()}"
    tmux = ["tmux", "-L", socket]
    subprocess.run(
        [
            *tmux,
            "new-session",
            "-d",
            "-s",
            "b",
            "-x",
            "100",
            "-y",
            "30",
            f"cd {root} && exec env -u PYTHONDONTWRITEBYTECODE {sys.executable} -m wttui",
        ],
        check=True,
    )
    try:
        deadline = time.monotonic() + 60
        while (
            "bench-000"
            not in subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "b"], capture_output=True, text=True
            ).stdout
        ):
            if time.monotonic() > deadline:
                raise TimeoutError("the app showed no worktree within 60 s")
            time.sleep(0.5)
        pid = int(
            subprocess.run(
                [*tmux, "list-panes", "-t", "b", "-F", "#{pane_pid}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()[0]
        )
        time.sleep(5)  # the first full read and its follow-up settle
        ticks = os.sysconf("SC_CLK_TCK")
        before = _cpu_ticks(pid)
        time.sleep(seconds)
        used = (_cpu_ticks(pid) - before) / ticks
        return 100 * used / seconds, _rss_mb(pid)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def p5_keys(root: Path, lines: int = 10_000, presses: int = 30) -> tuple[float, float]:
    """Milliseconds from a key to its effect (the cursor moved) while an action streams `lines`
    lines of a real process into the Log pane: (median, worst)."""
    return asyncio.run(_p5(root, lines, presses))


async def _p5(root: Path, lines: int, presses: int) -> tuple[float, float]:
    from textual import events

    from wttui.core.logsink import CancelToken, LogSink
    from wttui.services import Services
    from wttui.ui.app import make_app
    from wttui.ui.panes.worktrees import WorktreesPane

    services = Services.from_path(root)
    app = make_app(services)
    samples: list[float] = []
    async with app.run_test(size=(100, 30)) as pilot:
        while app.snapshot is None:
            await pilot.pause(0.05)
        table = app.query_one(WorktreesPane).table
        driver = app._driver
        assert driver is not None

        def stream(sink: LogSink, cancel: CancelToken) -> object:
            # A long migration's log: bursts of 100 lines, ~2,000 lines a second, so the
            # stream outlasts the key presses however fast the machine prints.
            script = (
                "import sys, time\n"
                f"for i in range({lines}):\n"
                "    print('line', i, 'of a long migration', flush=i % 100 == 99)\n"
                "    if i % 100 == 99: time.sleep(0.05)\n"
            )
            return services.run_command(
                [sys.executable, "-c", script], cwd=root, env={}, sink=sink, cancel=cancel
            )

        app.start_job("stream", stream)
        await pilot.pause(0.05)
        for i in range(presses):
            if not app.jobs.busy:
                break
            row = table.cursor_row
            key = "j" if i % 2 == 0 else "k"
            start = time.perf_counter()
            # As a terminal delivers a key: into the driver's queue, nobody waiting for idle
            # (Pilot.press waits for the CPU to go idle, which a stream never lets happen).
            event = events.Key(key, key)
            event.set_sender(app)
            driver.send_message(event)
            while table.cursor_row == row:
                await asyncio.sleep(0.0005)
            samples.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0.02)
        while app.jobs.busy:
            await pilot.pause(0.05)
    if not samples:
        raise RuntimeError("the stream ended before any key was pressed")
    return statistics.median(samples), max(samples)
