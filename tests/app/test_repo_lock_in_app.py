"""The app's jobs take the repository's lock (issue 13, item 13): while another wttui changes
the repository, a job says in the Log pane whom it waits for, `x` stops the wait and nothing
is changed; once the other is gone the same key runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests import steps
from tests.app.conftest import job_done, loaded, log_text, wait_until
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState
from wttui.repo_lock import lock_path
from wttui.services import Services
from wttui.snapshot import read_view
from wttui.ui.app import make_app

HOLDER = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from wttui.providers.file_lock import exclusive\n"
    "with exclusive(Path(sys.argv[1]), timeout=0):\n"
    "    print('held', flush=True)\n"
    "    time.sleep(600)\n"
)


def _hold(path: Path) -> subprocess.Popen[str]:
    """Another process holding the repository's lock (as another wttui would)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    return holder


async def test_a_job_waits_for_another_wttui_says_so_and_x_stops_the_wait(repo: Path) -> None:
    services = Services.from_path(repo)
    steps.create(services, "feat/w", sink=ListSink(), cancel=CancelToken())
    path = services.resolve("feat/w").path
    (path / "migrations/003_w.sql").write_text("CREATE TABLE w (id int);\n")
    holder = _hold(lock_path(services))
    try:
        app = make_app(services)
        async with app.run_test(size=(100, 30)) as pilot:
            await loaded(pilot)
            await pilot.press("j", "m")
            await wait_until(
                pilot, lambda: f"Waiting for pid {holder.pid}" in log_text(app), what="the wait"
            )
            assert "x stops waiting" in log_text(app)
            assert app.jobs.busy
            await pilot.press("x")
            await job_done(pilot, timeout=10)
            assert "cancelled" in log_text(app)
            assert read_view(services, "feat/w").migrations[-1].state is MigrationState.PENDING

            os.kill(holder.pid, signal.SIGKILL)  # the other wttui is gone: its lock with it
            holder.wait()
            await pilot.press("m")
            await job_done(pilot)
            states = [m.state for m in read_view(services, "feat/w").migrations]
            assert states == [MigrationState.APPLIED] * 3
    finally:
        holder.kill()
        holder.wait()
