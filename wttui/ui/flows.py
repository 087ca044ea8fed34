"""The app's action flows: plan (in a worker) → show and confirm (a dialog) → job.

Kept out of `app.py` so the App class stays a thin shell of wiring. Every rule lives in the
plans (`wttui.plans_*`); a flow only asks for a plan, shows it, and runs the action that executes
it. Every services or plans call runs in a thread worker; the UI thread only pushes screens.
Flows talk to the app through `FlowHost`, so this module does not import the app.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from textual.app import App

from wttui import actions, plans_create, plans_exec, plans_migrate, plans_remove
from wttui.core.housekeeping import AnyPlan as Plan
from wttui.core.housekeeping import SyncPlan
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DbStatus, WorktreeView
from wttui.core.plans import ContainerPlan, CreatePlan, RemovePlan, RollbackPlan
from wttui.errors import NeedsForce, WttuiError
from wttui.present import drift_lines
from wttui.present_plans import describe
from wttui.repo_lock import changing, run_exclusive
from wttui.services import Services
from wttui.ui.jobs import Call
from wttui.ui.messages import DriftLoaded
from wttui.ui.screens.confirm import ConfirmScreen
from wttui.ui.screens.create import CreateRequest, CreateScreen
from wttui.ui.screens.remove import RemoveScreen

if TYPE_CHECKING:
    from wttui.ui.quitting import QuitGuard

P = TypeVar("P")
Q = TypeVar("Q", bound=Plan)

WAIT_HINT = "x stops waiting"


class FlowHost(Protocol):
    """What flows need from the app."""

    @property
    def services(self) -> Services: ...

    def start_job(self, title: str, call: Call, worktree: Path | None = None) -> None: ...

    def report(self, error: BaseException) -> None: ...

    @property
    def quitting(self) -> QuitGuard: ...


class Flows:
    """Create, migrate, roll back, remove, drift and containers, as the app runs them."""

    def __init__(self, app: App[None], host: FlowHost) -> None:
        self.app = app
        self.host = host
        self.services = host.services

    def _plan_then(
        self,
        planner: Callable[[], P],
        then: Callable[[P], None],
        refused: Callable[[WttuiError], None] | None = None,
        *,
        title: str | None = None,
    ) -> None:
        """Make a plan in a worker, then `then(plan)` on the UI thread; a refusal is reported
        (or handed to `refused`). `title`: the plan is for that action, which the user asked
        for: a quit key while it is planned asks first (`quitting.py`) and the plan waits for
        the answer."""
        guard = self.host.quitting if title else None
        if guard is not None and title:
            guard.planning(title)

        def land(call: Callable[[], None]) -> None:
            if guard is None:
                call()
            else:
                guard.planned(call)

        def work() -> None:
            try:
                plan = planner()
            except WttuiError as exc:
                self.app.call_from_thread(land, partial(refused or self.host.report, exc))
                return
            self.app.call_from_thread(land, partial(then, plan))

        self.app.run_worker(work, group="plan", thread=True, exclusive=True, exit_on_error=False)

    def _job(
        self,
        title: str,
        plan: Q,
        run: Callable[[Q, LogSink, CancelToken], object],
        worktree: Path | None = None,
        *,
        replan: Callable[[], Q] | None = None,
        exclusive: bool = True,
    ) -> None:
        """Start the action executing `plan`, its plan lines first in the log. An action that
        changes something (`exclusive`) holds the repository's lock: while another wttui holds
        it, the log says so and `x` cancels the wait; after a wait it runs `replan()`'s plan."""

        def call(sink: LogSink, cancel: CancelToken) -> object:
            for line in describe(plan):
                sink.line(line)
            if not exclusive:
                return run(plan, sink, cancel)
            return run_exclusive(
                self.services,
                plan,
                lambda fresh: run(fresh, sink, cancel),
                replan=replan,
                sink=sink,
                cancel=cancel,
                how_to_stop=WAIT_HINT,
            )

        self.host.start_job(title, call, worktree)

    # -- create ------------------------------------------------------------------------------

    def create(self, branch: str = "") -> None:
        """The create dialog; a branch that already has a worktree plans a sync of it."""
        from wttui.actions.sync import sync
        from wttui.plans_housekeeping import plan_create_or_sync, plan_sync

        def planner(request: CreateRequest) -> CreatePlan | SyncPlan:
            return plan_create_or_sync(
                self.services,
                request.branch,
                base=request.base,
                adopt=request.adopt,
                force_env=request.force_env,
            )

        def chosen(plan: CreatePlan | SyncPlan | None) -> None:
            if isinstance(plan, SyncPlan):
                self._job(
                    f"sync {plan.items[0].worktree.label}",
                    plan,
                    lambda fresh, sink, cancel: sync(
                        self.services, fresh, sink=sink, cancel=cancel
                    ),
                    replan=lambda: plan_sync(self.services, plan.items[0].worktree.branch),
                )
            elif plan is not None:

                def run(fresh: CreatePlan, sink: LogSink, cancel: CancelToken) -> object:
                    path = actions.create(self.services, fresh, sink=sink, cancel=cancel)
                    if not fresh.target.none:  # no database, no template to use
                        _templates_in_background(self.services, sink)
                    return path

                self._job(
                    f"create {plan.branch}",
                    plan,
                    run,
                    plan.path,
                    replan=lambda: plans_create.plan_create(
                        self.services,
                        plan.branch,
                        base=plan.base,
                        adopt=plan.adopt,
                        force_env=plan.force_env,
                    ),
                )

        self.app.push_screen(CreateScreen(planner, branch), chosen)

    # -- migrate and roll back ---------------------------------------------------------------

    def migrate(self, view: WorktreeView) -> None:
        ref = str(view.worktree.path)

        def call(sink: LogSink, cancel: CancelToken) -> object:
            with changing(self.services, sink=sink, cancel=cancel, how_to_stop=WAIT_HINT):
                plan = plans_migrate.plan_migrate(self.services, ref)  # planned under the lock
                for line in describe(plan):
                    sink.line(line)
                applied = actions.migrate(self.services, plan, sink=sink, cancel=cancel)
            if applied and plan.worktree.is_main:
                _templates_in_background(self.services, sink)
            return applied

        self.host.start_job(f"migrate {view.worktree.label}", call, view.worktree.path)

    def rollback(self, view: WorktreeView) -> None:
        ref = str(view.worktree.path)

        def confirm(plan: RollbackPlan) -> None:
            def answered(yes: bool | None) -> None:
                if yes:
                    self._job(
                        f"rollback {view.worktree.label}",
                        plan,
                        lambda fresh, sink, cancel: actions.rollback(
                            self.services, fresh, sink=sink, cancel=cancel
                        ),
                        view.worktree.path,
                        replan=lambda: plans_migrate.plan_rollback(self.services, ref, steps=1),
                    )

            assert plan.confirmation is not None
            screen = ConfirmScreen("Roll back?", describe(plan), plan.confirmation)
            self.app.push_screen(screen, answered)

        self._plan_then(
            lambda: plans_migrate.plan_rollback(self.services, ref, steps=1),
            confirm,
            title=f"rollback {view.worktree.label}",
        )

    def drift(self, view: WorktreeView) -> None:
        """The cross-branch report as it concerns the selected worktree (read in a worker)."""
        from wttui.snapshot_reports import read_drift

        branch = view.worktree.branch or view.worktree.label
        path = view.worktree.path

        def show(lines: list[str]) -> None:
            self.app.post_message(DriftLoaded(path, lines))

        self.app.notify(f"Reading every branch's migrations for {branch}…")
        self._plan_then(
            lambda: drift_lines(read_drift(self.services), branch, view.worktree.label), show
        )

    # -- containers --------------------------------------------------------------------------

    def toggle_container(self, view: WorktreeView) -> None:
        """Start a stopped (or gone) container, stop a running one."""
        verb = "stop" if view.db_status is DbStatus.PRESENT else "start"
        self._container(view, verb)

    def container_logs(self, view: WorktreeView) -> None:
        self._container(view, "logs")

    def _container(self, view: WorktreeView, verb: str) -> None:
        from wttui.actions.containers import VERBS  # Docker: only when asked for

        ref = str(view.worktree.path)

        def run(plan: ContainerPlan) -> None:
            self._job(
                f"{verb} {plan.target.container}",
                plan,
                lambda fresh, sink, cancel: VERBS[verb](
                    self.services, fresh, sink=sink, cancel=cancel
                ),
                view.worktree.path,
                replan=lambda: plans_exec.plan_container(self.services, ref, verb),
                exclusive=verb != "logs",  # reading logs never waits
            )

        self._plan_then(
            lambda: plans_exec.plan_container(self.services, ref, verb),
            run,
            title=f"{verb} {view.worktree.label}",
        )

    # -- remove ------------------------------------------------------------------------------

    def remove(self, view: WorktreeView) -> None:
        ref = str(view.worktree.path)
        label = view.worktree.label

        def planner(keep_db: bool, force: bool) -> RemovePlan:
            return plans_remove.plan_remove(self.services, ref, keep_db=keep_db, force=force)

        def chosen(plan: RemovePlan | None) -> None:
            if plan is not None:
                self._job(
                    f"remove {label}",
                    plan,
                    lambda fresh, sink, cancel: actions.remove(
                        self.services, fresh, sink=sink, cancel=cancel
                    ),
                    plan.worktree.path,
                    replan=lambda: planner(plan.keep_db, plan.force),
                )

        def open_with(plan: RemovePlan) -> None:
            self.app.push_screen(RemoveScreen(label, planner, plan, None), chosen)

        def refused(error: WttuiError) -> None:
            if isinstance(error, NeedsForce):  # the dialog offers the force box
                self.app.push_screen(RemoveScreen(label, planner, None, error.message), chosen)
            else:
                self.host.report(error)

        self._plan_then(lambda: planner(False, False), open_with, refused, title=f"remove {label}")


def _templates_in_background(services: Services, sink: LogSink) -> None:
    """After a create or a migrate on main: the template cache is brought up to date by a
    background process (see `actions.templates.spawn_build`)."""
    from wttui.actions.templates import spawn_build

    log = spawn_build(services)
    if log:
        sink.line(f"Updating the template cache in the background (log: {log})")
