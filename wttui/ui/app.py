"""The wttui app: wiring of panes, refresh, jobs and flows. Kept thin on purpose.

Attributes down, messages up: refresh workers post snapshots, the app hands each pane what it
shows, panes post requests, and every services/actions call runs in a thread worker
(`refresh.py`, `jobs.py`, `flows.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult, ScreenStackError
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState

from wttui.core.models import DbStatus, RepoSnapshot, WorktreeView
from wttui.core.urls import url_secrets
from wttui.errors import Cancelled, WttuiError
from wttui.services import Services
from wttui.snapshot import read_snapshot
from wttui.ui import messages as msg
from wttui.ui.commands import ActionCommands, bindings
from wttui.ui.flows import Flows
from wttui.ui.flows_lifecycle import LifecycleFlows
from wttui.ui.jobs import Call, JobRunner
from wttui.ui.panes.database import DatabasePane
from wttui.ui.panes.log import LogPane
from wttui.ui.panes.migrations import MigrationsPane
from wttui.ui.panes.worktrees import WorktreesPane
from wttui.ui.refresh import Refresher
from wttui.ui.screens.help import HelpScreen

NARROW_BELOW = 80


"""Below this many columns the panes stack (DESIGN §4)."""


class WttuiApp(App[None]):
    """Worktrees, their databases and migrations, driven by the keyboard."""

    CSS_PATH = "styles/app.tcss"
    TITLE = "wttui"
    BINDINGS: ClassVar[list[BindingType]] = bindings()
    COMMANDS = App.COMMANDS | {ActionCommands}

    def __init__(
        self, services: Services, *, read: Callable[[], RepoSnapshot] | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.snapshot: RepoSnapshot | None = None
        self.refresher = Refresher(self, read or partial(read_snapshot, services))
        self.jobs = JobRunner(self, secrets=_secrets(services))
        self.flows = Flows(self, self)
        self.lifecycle = LifecycleFlows(self, self)
        self.sub_title = f"{services.project} · {services.server_label}"

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield WorktreesPane()
            with Vertical(id="side"):
                yield DatabasePane()
                yield MigrationsPane()
        yield LogPane()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(WorktreesPane).table.focus()
        self.query_one(LogPane).write(f"wttui — {self.sub_title}: loading…")
        # After the first frame: the refresh thread's imports and I/O would compete with it.
        self.call_after_refresh(self.refresher.request)
        self.call_after_refresh(self.refresher.start_watching)
        self.set_interval(0.1, self.jobs.flush)

    def on_unmount(self) -> None:
        # Quitting waits for worker threads: stop the watcher and cancel a running action.
        self.refresher.stop()
        self.jobs.cancel()

    def on_resize(self, event: Resize) -> None:
        self.screen.set_class(event.size.width < NARROW_BELOW, "narrow")

    # -- data in -----------------------------------------------------------------------------

    @on(msg.SnapshotLoaded)
    def _snapshot_loaded(self, message: msg.SnapshotLoaded) -> None:
        if message.generation != self.refresher.generation:
            return  # a newer refresh is on its way
        if self.snapshot is None:
            count = len(message.snapshot.views)
            self.query_one(LogPane).write(f"{count} worktree(s) on {message.snapshot.server}")
        self.snapshot = message.snapshot
        self.query_one(WorktreesPane).show(message.snapshot)
        self.refresher.loaded()

    @on(msg.RefreshFailed)
    def _refresh_failed(self, message: msg.RefreshFailed) -> None:
        self.query_one(WorktreesPane).border_subtitle = f"⚠ {message.error}"[:70]
        self.refresher.loaded()

    @on(msg.WatchedPathsChanged)
    def _paths_changed(self) -> None:
        self.refresher.request()

    @on(msg.DriftLoaded)
    def _drift_loaded(self, message: msg.DriftLoaded) -> None:
        if self.selected is not None and self.selected.worktree.path == message.worktree:
            self.query_one(MigrationsPane).show_drift(message.worktree, message.lines)

    @on(WorktreesPane.Selected)
    def _selected(self, message: WorktreesPane.Selected) -> None:
        try:  # on the main screen, also while a dialog is open
            main = self.screen_stack[0]
            database, migrations = main.query_one(DatabasePane), main.query_one(MigrationsPane)
        except (ScreenStackError, NoMatches):  # the app is closing: its panes are gone already
            return
        database.show(message.view)
        migrations.show(message.view)

    # -- jobs --------------------------------------------------------------------------------

    def start_job(self, title: str, call: Call) -> None:
        job = self.jobs.start(title, call)
        if job is None:
            self.notify("An action is running — x cancels it", severity="warning")
            return
        self.query_one(LogPane).begin(f"{title} on {self.services.server_label}")

    @on(msg.JobOutput)
    def _job_output(self, message: msg.JobOutput) -> None:
        self.query_one(LogPane).write_lines(message.lines)

    @on(msg.JobFinished)
    def _job_finished(self, message: msg.JobFinished) -> None:
        self.jobs.finished(message.job_id)
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
        self.refresher.request()

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

    # -- actions (keys, help, palette) -------------------------------------------------------

    @property
    def selected(self) -> WorktreeView | None:
        return self.query_one(WorktreesPane).selected

    def _need_selection(self) -> WorktreeView | None:
        view = self.selected
        if view is None:
            self.notify("No worktree selected", severity="warning")
        return view

    def action_create(self) -> None:
        # On a worktree made outside wttui (no database yet), `c` provisions that one.
        view = self.selected
        missing = view is not None and view.db_status is DbStatus.MISSING
        branch = view.worktree.branch if view is not None and missing else None
        self.flows.create(branch or "")

    def action_migrate(self) -> None:
        if view := self._need_selection():
            self.flows.migrate(view)

    def action_rollback(self) -> None:
        if view := self._need_selection():
            self.flows.rollback(view)

    def action_drift(self) -> None:
        pane = self.query_one(MigrationsPane)
        if pane.drift_shown:
            pane.hide_drift()
        elif view := self._need_selection():
            self.flows.drift(view)

    def action_container(self) -> None:
        if view := self._need_selection():
            self.flows.toggle_container(view)

    def action_container_logs(self) -> None:
        if view := self._need_selection():
            self.flows.container_logs(view)

    def action_remove(self) -> None:
        if view := self._need_selection():
            self.flows.remove(view)

    def action_clone(self) -> None:
        if (view := self._need_selection()) and self.snapshot is not None:
            self.lifecycle.clone(view, list(self.snapshot.views))

    def action_snapshot(self) -> None:
        if view := self._need_selection():
            self.lifecycle.snapshot(view)

    def action_snapshots(self) -> None:
        if view := self._need_selection():
            self.lifecycle.snapshots(view)

    def action_undo(self) -> None:
        self.lifecycle.undo()

    def action_trash(self) -> None:
        self.lifecycle.trash()

    def action_cancel_job(self) -> None:
        if self.jobs.cancel():
            self.query_one(LogPane).write_lines([("warn", "cancelling…")])
        else:
            self.notify("No action is running")

    def action_refresh(self) -> None:
        self.refresher.request()

    def action_filter(self) -> None:
        pane = self.query_one(WorktreesPane)
        box = pane.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_drill(self) -> None:
        self.query_one(MigrationsPane).table.focus()

    def action_back_out(self) -> None:
        panes = self._panes()
        if any(pane.has_class("zoomed") for pane in panes):
            self._zoom(None)
            return
        box = self.query_one(WorktreesPane).query_one("#filter", Input)
        if box.display and (box.has_focus or box.value):
            box.value = ""
            box.display = False
        self.query_one(WorktreesPane).table.focus()

    def _panes(self) -> list[Widget]:
        return [
            self.query_one(WorktreesPane),
            self.query_one(DatabasePane),
            self.query_one(MigrationsPane),
            self.query_one(LogPane),
        ]

    def action_focus_pane(self, number: int) -> None:
        pane = self._panes()[number - 1]
        target = pane.query_one("DataTable") if pane.query("DataTable") else pane
        if target.has_focus or pane.has_class("zoomed"):
            self._zoom(None if pane.has_class("zoomed") else pane)
        target.focus()

    def _zoom(self, pane: Widget | None) -> None:
        self.screen.set_class(pane is not None, "zoom")
        for each in self._panes():
            each.set_class(each is pane, "zoomed")

    def action_help(self) -> None:
        def chosen(action: str | None) -> None:
            if action:
                self.call_later(self.run_action, action)

        self.push_screen(HelpScreen(), chosen)


def _secrets(services: Services) -> tuple[str, ...]:
    url = services.config.database.url
    return url_secrets(url) if url else ()


def make_app(services: Services, *, read: Callable[[], RepoSnapshot] | None = None) -> WttuiApp:
    """The one factory: used by the CLI, the demo, the tests and the screenshots. `read` stands
    in for the read model (the layout snapshots' fixed data)."""
    return WttuiApp(services, read=read)
