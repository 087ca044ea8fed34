"""The wttui app: wiring of panes, refresh, jobs and flows. Kept thin on purpose.

Attributes down, messages up: refresh workers post snapshots, the app hands each pane what it
shows, panes post requests, and every services/actions call runs in a thread worker
(`refresh.py`, `jobs.py`, `flows.py`).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.events import Resize
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from wttui.core.disk import project_disk_bytes
from wttui.core.urls import url_secrets
from wttui.errors import Cancelled, WttuiError
from wttui.ui import messages as msg
from wttui.ui.app_keys import KeyActions
from wttui.ui.commands import ActionCommands, bindings
from wttui.ui.jobs import BATCH_SECONDS, Call, JobRunner
from wttui.ui.layout import (
    HORIZONTAL_BREAKPOINTS,
    SINGLE,
    VERTICAL_BREAKPOINTS,
    Panes,
    mode_for,
    screen_classes,
)
from wttui.ui.loading import Repository
from wttui.ui.panes.database import DatabasePane
from wttui.ui.panes.log import LogPane
from wttui.ui.panes.migrations import MigrationsPane
from wttui.ui.panes.worktrees import WorktreesPane
from wttui.ui.progress import JobActivity
from wttui.ui.quitting import QuitGuard
from wttui.ui.refresh import ReadModel, Refresher

if TYPE_CHECKING:
    from wttui.core.models import RepoSnapshot
    from wttui.services import Services
    from wttui.ui.flows import Flows
    from wttui.ui.flows_housekeeping import HousekeepingFlows
    from wttui.ui.flows_lifecycle import LifecycleFlows

FLOW_MODULES = ("wttui.ui.flows", "wttui.ui.flows_housekeeping", "wttui.ui.flows_lifecycle")
"""What the keys' actions need and the first frame does not: imported after it (P1)."""


class WttuiApp(KeyActions):
    """Worktrees, their databases and migrations, driven by the keyboard."""

    CSS_PATH = "styles/app.tcss"
    TITLE = "wttui"
    BINDINGS: ClassVar[list[BindingType]] = bindings()
    COMMANDS = App.COMMANDS | {ActionCommands}
    HORIZONTAL_BREAKPOINTS = HORIZONTAL_BREAKPOINTS
    VERTICAL_BREAKPOINTS = VERTICAL_BREAKPOINTS
    AUTO_FOCUS = "#worktree-table"
    """Not Textual's default (the first focusable widget): nothing has the focus in the first
    frame (the list, mounted after it, takes it), so the screen is not styled again (P1)."""

    def __init__(
        self,
        services: Services | None = None,
        *,
        read: ReadModel | None = None,
        start: Path | None = None,
    ) -> None:
        """`services` for a repository already loaded (tests, the demo's screenshots); or
        `start`, a directory: the repository is loaded after the first frame (`loading.py`)."""
        super().__init__()
        self.snapshot: RepoSnapshot | None = None
        self._flusher: Timer | None = None
        self.jobs = JobRunner(self)
        self.activity = JobActivity(self)
        self.quitting = QuitGuard(self, self.jobs, self.activity)
        self.repository = Repository(self, self._use, services=services, start=start, read=read)
        self.refresher = Refresher(self, self.repository.read)

    @property
    def services(self) -> Services:
        """The repository's services (the keys that need them wait: `_repository_ready`)."""
        if self.repository.services is None:
            raise RuntimeError("the repository is not loaded yet")
        return self.repository.services

    def _use(self, services: Services) -> None:
        self.jobs.secrets = _secrets(services)
        self.sub_title = f"{services.project} · {services.server_label}"

    # -- the flows: made on first use, their modules imported after the first frame ---------

    @cached_property
    def flows(self) -> Flows:
        from wttui.ui.flows import Flows

        return Flows(self, self)

    @cached_property
    def housekeeping(self) -> HousekeepingFlows:
        from wttui.ui.flows_housekeeping import HousekeepingFlows

        return HousekeepingFlows(self, self.flows)

    @cached_property
    def lifecycle(self) -> LifecycleFlows:
        from wttui.ui.flows_lifecycle import LifecycleFlows

        return LifecycleFlows(self, self)

    def _import_flows(self) -> None:
        """In a worker once the first snapshot is shown: the first action key finds its
        modules loaded."""
        import gc
        import importlib

        for name in FLOW_MODULES:
            importlib.import_module(name)
        # What is loaded by now (modules, classes, the widgets) lives as long as the app: out
        # of the collector's sight, a full collection (a streaming action's log brings one
        # every few seconds) scans only what came after, and a key waits a few ms, not 50 (P5).
        # Only the young generations are collected first: a full collection here would hold
        # the UI thread 20-60 ms, and what it would free is a few startup leftovers.
        gc.collect(1)
        gc.freeze()

    def compose(self) -> ComposeResult:
        yield Panes()
        # The palette's key is in `?` help and the footer has room for seven keys only.
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.screen.update_classes(screen_classes(*self.size), animate=False)  # first frame's
        self.query_one(Panes).arrange_panes()
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        """The lists, the focus and the first read come after the first frame (P1): the
        refresh thread's imports and I/O would compete with it."""
        table = self.query_one(WorktreesPane).table
        if self.focused is None:  # a key pressed before it (`/`: the filter) keeps its focus
            table.focus()
        _ = self.query_one(MigrationsPane).table
        _ = self.query_one(LogPane).view
        self.refresher.request(full=True)

    def on_resize(self, event: Resize) -> None:
        # Below 60 columns the footer's seven keys fit only without their padding.
        for footer in self.query(Footer):  # none while the app shuts down
            footer.compact = mode_for(event.size.width) == SINGLE

    def on_unmount(self) -> None:
        # Quitting waits for worker threads: stop the watcher and cancel a running action.
        self.refresher.stop()
        self.jobs.cancel()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notifications carry names, paths and errors: plain text unless asked otherwise (a
        branch called `fix/[x]` must not read as markup)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    @property
    def _torn_down(self) -> bool:
        """The app is quitting: late messages find no panes to update. Shutting down stops
        `is_running` first, then removes the widgets, leaves first: a refresh landing while
        they went found a pane without its table (a traceback at exit, one P5 bench run in
        four)."""
        return not self.is_running or not self.query(WorktreesPane)

    # -- data in -----------------------------------------------------------------------------

    @on(msg.SnapshotLoaded)
    def _snapshot_loaded(self, message: msg.SnapshotLoaded) -> None:
        if self._torn_down:
            return
        if not self.refresher.loaded(message.snapshot):
            self._retime()  # nothing changed but the clock: relative times move on
            return
        if self.snapshot is None:
            count = len(message.snapshot.views)
            self.query_one(LogPane).write(f"{count} worktree(s) on {message.snapshot.server}")
            self.run_worker(self._import_flows, thread=True, group="imports", exit_on_error=False)
        self.snapshot = message.snapshot
        self.query_one(WorktreesPane).show(message.snapshot)
        self.query_one(Panes).measure(message.snapshot)  # the side panes' widths at ≥120
        # The selected worktree may be unchanged while the project's total is not (a create).
        self.query_one(DatabasePane).show_total(project_disk_bytes(message.snapshot.views))
        self.query_one(MigrationsPane).retime()  # the same selection is not shown again

    def _retime(self) -> None:
        """Re-render the `2s ago`s on each refresh tick (no timer of its own), only where the
        words changed."""
        self.query_one(WorktreesPane).retime()
        self.query_one(MigrationsPane).retime()

    @on(msg.RefreshFailed)
    def _refresh_failed(self, message: msg.RefreshFailed) -> None:
        if self._torn_down:
            return
        self.query_one(WorktreesPane).border_subtitle = f"⚠ {message.error}"[:70]
        self.refresher.loaded(None)

    @on(msg.WatchedPathsChanged)
    def _paths_changed(self, message: msg.WatchedPathsChanged) -> None:
        self.refresher.request(changed=message.paths)

    def on_app_focus(self) -> None:
        self.refresher.focus(True)

    def on_app_blur(self) -> None:
        self.refresher.focus(False)

    @on(msg.DriftLoaded)
    def _drift_loaded(self, message: msg.DriftLoaded) -> None:
        if self._torn_down:
            return
        if self.selected is not None and self.selected.worktree.path == message.worktree:
            self.query_one(MigrationsPane).show_drift(message.worktree, message.lines)

    @on(WorktreesPane.Selected)
    def _selected(self, message: WorktreesPane.Selected) -> None:
        if self._torn_down:
            return
        views = self.snapshot.views if self.snapshot else ()
        self.query_one(DatabasePane).show(message.view, project_disk_bytes(views))
        self.query_one(MigrationsPane).show(message.view)

    # -- jobs --------------------------------------------------------------------------------

    def start_job(self, title: str, call: Call, worktree: Path | None = None) -> None:
        job = self.jobs.start(title, call, worktree=worktree)
        if job is None:
            self.notify("An action is running — x cancels it", severity="warning")
            return
        self.query_one(LogPane).begin(f"{title} on {self.services.server_label}")
        # Lines gathered by the action are pushed out at least this often, only while it runs.
        self._flusher = self.set_interval(BATCH_SECONDS * 2, self.jobs.flush)
        self.activity.begin(title, worktree, job.started)

    @on(msg.JobOutput)
    def _job_output(self, message: msg.JobOutput) -> None:
        if self._torn_down:
            return
        self.query_one(LogPane).write_lines(message.lines)
        self.activity.output(message.lines, message.progress)

    @on(msg.JobFinished)
    def _job_finished(self, message: msg.JobFinished) -> None:
        job = self.jobs.finished(message.job_id)
        if self._flusher is not None:
            self._flusher.stop()
            self._flusher = None
        if self._torn_down:
            return
        self.activity.end()
        log = self.query_one(LogPane)
        took = f"{message.duration:.1f} s"
        if message.error is None:
            log.finish(True, f"{message.title} done in {took}")
            self.notify(f"{message.title}: done")
        elif isinstance(message.error, Cancelled):
            log.finish(False, f"{message.title} cancelled after {took}")
            self.notify(f"{message.title}: cancelled", severity="warning")
        else:
            code = message.error.exit_code if isinstance(message.error, WttuiError) else 1
            log.finish(False, f"{message.title} failed after {took} (exit {code})")
            self.report(message.error)
        self.refresher.request(touched=[job.worktree] if job and job.worktree else [])
        self.quitting.job_ended()

    def report(self, error: BaseException) -> None:
        """A failure: a toast and the full text in the log (never a modal)."""
        log = self.query_one(LogPane)
        if isinstance(error, WttuiError):
            log.write_lines(
                [("err", error.message)] + ([("warn", error.hint)] if error.hint else [])
            )
            self.notify(error.message, title="wttui", severity="error", timeout=8)
        else:
            log.write_lines([("err", f"{type(error).__name__}: {error}")])
            self.notify(f"Unexpected error: {error}", severity="error", timeout=8)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report(event.worker.error)

    # -- requests from panes and screens -----------------------------------------------------

    @on(msg.RunAction)
    async def _run_action(self, message: msg.RunAction) -> None:
        await self.run_action(message.action)


def _secrets(services: Services) -> tuple[str, ...]:
    url = services.config.database.url
    return url_secrets(url) if url else ()


def make_app(services: Services, *, read: ReadModel | None = None) -> WttuiApp:
    """The one factory: used by the CLI, the demo, the tests and the screenshots. `read` stands
    in for the read model (the layout snapshots' fixed data)."""
    return WttuiApp(services, read=read)
