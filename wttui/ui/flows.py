"""The app's action flows: dialog → plan (in a worker) → confirmation → job.

Kept out of `app.py` so the App class stays a thin shell of wiring. Every services or actions
call here runs inside a thread worker; the UI thread only pushes screens and reads results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wttui import actions
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DbStatus, MigrationState, WorktreeView
from wttui.errors import AdoptableDatabase, EnvConflict, WttuiError
from wttui.ui.messages import CreatePlanned, DriftLoaded, RemovePlanned
from wttui.ui.screens.confirm import ConfirmScreen
from wttui.ui.screens.create import CreateRequest, CreateScreen
from wttui.ui.screens.remove import RemoveRequest, RemoveScreen

if TYPE_CHECKING:
    from wttui.ui.app import WttuiApp


class Flows:
    """Create, migrate, roll back and remove, as the app runs them."""

    def __init__(self, app: WttuiApp) -> None:
        self.app = app
        self.services = app.services

    # -- create ------------------------------------------------------------------------------

    def create(self) -> None:
        def chosen(request: CreateRequest | None) -> None:
            if request is not None:
                self.run_create(request.branch, request.base)

        self.app.push_screen(CreateScreen(), chosen)

    def plan_create(self, branch: str, base: str) -> None:
        request = (branch, base)

        def plan() -> None:
            try:
                result = self.services.plan_create(branch, base or None)
            except WttuiError as exc:
                self.app.post_message(CreatePlanned(request, None, exc.message))
                return
            self.app.post_message(CreatePlanned(request, result, None))

        self.app.run_worker(plan, group="plan", thread=True, exclusive=True, exit_on_error=False)

    def run_create(
        self, branch: str, base: str | None, *, force_env: bool = False, adopt: bool = False
    ) -> None:
        def call(sink: LogSink, cancel: CancelToken) -> object:
            try:
                return actions.create(
                    self.services,
                    branch,
                    base=base,
                    sink=sink,
                    cancel=cancel,
                    force_env=force_env,
                    adopt=adopt,
                )
            except EnvConflict as exc:
                self.app.call_from_thread(self._ask_env, branch, base, adopt, exc)
                raise
            except AdoptableDatabase as exc:
                self.app.call_from_thread(self._ask_adopt, branch, base, exc)
                raise

        self.app.start_job(f"create {branch}", call)

    def _ask_env(self, branch: str, base: str | None, adopt: bool, exc: EnvConflict) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.run_create(branch, base, force_env=True, adopt=adopt)

        body = f"{exc.message}.\n\n{exc.diff}\nOverwrite it? (the old file is kept as .wttui.bak)"
        self.app.push_screen(ConfirmScreen("Overwrite a hand-set value?", body), answered)

    def _ask_adopt(self, branch: str, base: str | None, exc: AdoptableDatabase) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.run_create(branch, base, adopt=True)

        body = f"{exc.message}.\n\nUse database {exc.database} for {branch}?"
        self.app.push_screen(
            ConfirmScreen("Adopt an existing database?", body, yes="Adopt"), answered
        )

    # -- migrate and roll back ---------------------------------------------------------------

    def migrate(self, view: WorktreeView) -> None:
        ref = str(view.worktree.path)
        self.app.start_job(
            f"migrate {view.worktree.label}",
            lambda sink, cancel: actions.migrate(self.services, ref, sink=sink, cancel=cancel),
        )

    def rollback(self, view: WorktreeView) -> None:
        # The tool reverts its newest applied migration (edited or not), in the tool's own order,
        # which is the order of `view.migrations`.
        applied = [
            m
            for m in view.migrations
            if m.state in (MigrationState.APPLIED, MigrationState.MODIFIED)
        ]
        if view.db_status is not DbStatus.PRESENT or not applied:
            self.app.notify(f"{view.worktree.label} has no applied migration to roll back")
            return
        newest = applied[-1]
        if not newest.has_down:
            self.app.notify(
                f"{newest.version}_{newest.name} has no down migration: nothing to roll back "
                "with (write a new migration that undoes it)",
                severity="warning",
            )
            return
        name = view.target.label if view.target else "its database"
        ref = str(view.worktree.path)

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.start_job(
                    f"rollback {view.worktree.label}",
                    lambda sink, cancel: actions.rollback(
                        self.services, ref, steps=1, sink=sink, cancel=cancel
                    ),
                )

        self.app.push_screen(
            ConfirmScreen(
                "Roll back one migration?",
                f"Revert {newest.version}_{newest.name} in database {name}.",
                yes="Roll back",
            ),
            answered,
        )

    def drift(self, view: WorktreeView) -> None:
        """The cross-branch report as it concerns the selected worktree (read in a worker)."""
        branch = view.worktree.branch or view.worktree.label
        path = view.worktree.path

        def load() -> None:
            from wttui.drift.analysis import lines_for

            try:
                report = self.services.drift()
            except WttuiError as exc:
                self.app.call_from_thread(self.app.report, exc)
                return
            lines = lines_for(report, branch, view.worktree.label)
            self.app.post_message(DriftLoaded(path, lines))

        self.app.notify(f"Reading every branch's migrations for {branch}…")
        self.app.run_worker(load, group="drift", thread=True, exclusive=True, exit_on_error=False)

    # -- containers --------------------------------------------------------------------------

    def _container(self, view: WorktreeView) -> str | None:
        """The worktree's container, or None (and a note saying why nothing happens)."""
        if view.target is None or view.target.container is None:
            self.app.notify(f"{view.worktree.label} has no container (container strategy only)")
            return None
        return view.target.container

    def toggle_container(self, view: WorktreeView) -> None:
        """Start a stopped (or gone) container, stop a running one."""
        container = self._container(view)
        if container is None:
            return
        from wttui.actions import containers  # Docker and psycopg: only when asked for

        ref = str(view.worktree.path)
        if view.db_status is DbStatus.PRESENT:
            verb, call = "stop", containers.stop
        else:
            verb, call = "start", containers.start
        self.app.start_job(
            f"{verb} {container}",
            lambda sink, cancel: call(self.services, ref, sink=sink, cancel=cancel),
        )

    def container_logs(self, view: WorktreeView) -> None:
        container = self._container(view)
        if container is None:
            return
        from wttui.actions import containers

        ref = str(view.worktree.path)
        self.app.start_job(
            f"logs {container}",
            lambda sink, cancel: containers.logs(self.services, ref, sink=sink, cancel=cancel),
        )

    # -- remove ------------------------------------------------------------------------------

    def remove(self, view: WorktreeView) -> None:
        if view.worktree.is_main:
            self.app.notify("The main worktree cannot be removed", severity="warning")
            return
        ref = str(view.worktree.path)

        def plan() -> None:
            try:
                result = self.services.plan_remove(ref)
            except WttuiError as exc:
                self.app.call_from_thread(self.app.report, exc)
                return
            self.app.post_message(RemovePlanned(result))

        self.app.run_worker(plan, group="plan", thread=True, exclusive=True, exit_on_error=False)

    def confirm_remove(self, message: RemovePlanned) -> None:
        plan = message.plan
        ref = str(plan.worktree.path)

        def chosen(request: RemoveRequest | None) -> None:
            if request is None:
                return
            self.app.start_job(
                f"remove {plan.worktree.label}",
                lambda sink, cancel: actions.remove(
                    self.services,
                    ref,
                    keep_db=request.keep_db,
                    force=request.force,
                    sink=sink,
                    cancel=cancel,
                ),
            )

        self.app.push_screen(RemoveScreen(plan), chosen)
