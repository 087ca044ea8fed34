"""What the app's keys do (their bindings, help and palette entries are in `commands.py`).

Each action checks what it needs — the repository loaded, a worktree selected — and hands the
work to a flow (`flows.py`, `flows_housekeeping.py`, `flows_lifecycle.py`), which plans in a
worker, asks, and runs the job. `KeyActions` is the app's base class: the app (`app.py`)
provides the flows, the job runner, the refresher and the snapshot these actions use.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App

from wttui.core.shell import CD_FILE
from wttui.ui.layout import Panes
from wttui.ui.panes.log import LogPane
from wttui.ui.panes.migrations import MigrationsPane
from wttui.ui.panes.worktrees import SORT_KEYS, WorktreesPane

if TYPE_CHECKING:
    from wttui.core.models import RepoSnapshot, WorktreeView
    from wttui.ui.flows import Flows
    from wttui.ui.flows_housekeeping import HousekeepingFlows
    from wttui.ui.flows_lifecycle import LifecycleFlows
    from wttui.ui.jobs import JobRunner
    from wttui.ui.loading import Repository
    from wttui.ui.quitting import QuitGuard
    from wttui.ui.refresh import Refresher


class KeyActions(App[None]):
    """The `action_*` handlers of the app's keys, help screen and command palette."""

    snapshot: RepoSnapshot | None
    repository: Repository
    jobs: JobRunner
    quitting: QuitGuard
    refresher: Refresher

    @property
    def flows(self) -> Flows:
        raise NotImplementedError

    @property
    def housekeeping(self) -> HousekeepingFlows:
        raise NotImplementedError

    @property
    def lifecycle(self) -> LifecycleFlows:
        raise NotImplementedError

    def _repository_ready(self) -> bool:
        """False (and says so) while the repository is still being loaded."""
        if self.repository.services is None:
            self.notify("Still loading the repository…", severity="warning")
        return self.repository.services is not None

    @property
    def selected(self) -> WorktreeView | None:
        return self.query_one(WorktreesPane).selected

    def _need_selection(self) -> WorktreeView | None:
        if not self._repository_ready():  # nothing is listed yet: say why, not "no selection"
            return None
        view = self.selected
        if view is None:
            self.notify("No worktree selected", severity="warning")
        return view

    def action_create(self) -> None:
        # On a worktree provisioned in part or not at all (made with `git worktree add`, a
        # stale .env, a stopped container), `c` syncs that one.
        from wttui.ui.flows_housekeeping import incomplete

        if not self._repository_ready():
            return
        view = self.selected
        if view is not None and incomplete(view):
            if view.worktree.branch is None:  # detached: no branch to prefill
                self.housekeeping.sync(view)
                return
            self.flows.create(view.worktree.branch)  # prefilled: its plan is a sync
            return
        self.flows.create("")

    def action_orphans(self) -> None:
        if self._repository_ready():
            self.housekeeping.orphans()

    def action_doctor(self) -> None:
        if self._repository_ready():
            self.housekeeping.doctor(self.selected)

    def action_inspect(self) -> None:
        if view := self._need_selection():
            self.housekeeping.inspect(view)

    def action_psql(self) -> None:
        if view := self._need_selection():
            self.housekeeping.psql(view)

    def action_copy_path(self) -> None:
        if view := self._need_selection():
            self.housekeeping.copy_path(view)

    def action_copy_url(self) -> None:
        if view := self._need_selection():
            self.housekeeping.copy_url(view)

    def action_quit_here(self) -> None:
        """Quit; with the shell function (`wttui shell-init`), the shell lands in the selected
        worktree. While an action runs, asks first (`quitting.py`)."""
        self.quitting.request(self._quit_here)

    async def action_quit(self) -> None:
        """`Q`, `ctrl+q`: quit where the shell is; while an action runs, asks first."""
        self.quitting.request(self.exit)

    def _quit_here(self) -> None:
        target = os.environ.get(CD_FILE)
        view = self.selected
        if target and view is not None and view.worktree.path.is_dir():
            with contextlib.suppress(OSError):
                Path(target).write_text(str(view.worktree.path))
        self.exit()

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
        if self._repository_ready():
            self.lifecycle.undo()

    def action_trash(self) -> None:
        if self._repository_ready():
            self.lifecycle.trash()

    def action_cancel_job(self) -> None:
        if self.jobs.cancel():
            self.query_one(LogPane).write_lines([("warn", "cancelling…")])
        else:
            self.notify("No action is running")

    def action_refresh(self) -> None:
        self.refresher.request(full=True)

    async def action_filter(self) -> None:
        await self.query_one(WorktreesPane).open_filter()

    def action_drill(self) -> None:
        self.query_one(MigrationsPane).table.focus()

    # -- layout (`layout.py` arranges the panes) ---------------------------------------------

    def action_back_out(self) -> None:
        self.query_one(Panes).back_out()

    def action_focus_pane(self, number: int) -> None:
        self.query_one(Panes).focus_pane(number)

    def action_sort(self, key: str) -> None:
        if key in SORT_KEYS:
            self.query_one(WorktreesPane).sort_by(key)

    def action_save_log(self) -> None:
        from wttui.providers.server import data_dir

        self.query_one(LogPane).save(data_dir() / "logs")

    def action_help(self) -> None:
        def chosen(action: str | None) -> None:
            if action:
                self.call_later(self.run_action, action)

        from wttui.ui.screens.help import HelpScreen  # on `?`, not at first frame

        self.push_screen(HelpScreen(), chosen)
