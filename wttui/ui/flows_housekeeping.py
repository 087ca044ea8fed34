"""The app's housekeeping flows: sync, the Orphans and Doctor views, Inspect, psql, copy.

As in `flows.py`: every plan and read runs in a worker (`Flows._plan_then`), the UI thread only
pushes screens, and actions run as jobs. psql takes the terminal with `App.suspend` while it
runs; its password file exists only meanwhile.
"""

from __future__ import annotations

import os
import subprocess
import time

from textual.app import App

from wttui import plans_exec
from wttui.actions.doctor import fix
from wttui.actions.orphans import clean
from wttui.actions.sync import sync
from wttui.core.housekeeping import (
    CleanPlan,
    DoctorReport,
    FixPlan,
    OrphanReport,
    SyncPlan,
    TableDetail,
    TableRow,
)
from wttui.core.models import DbStatus, WorktreeView
from wttui.core.plans import Confirmation, ExecPlan
from wttui.errors import EnvConflict, NeedsForce, NoDatabase, WttuiError
from wttui.present_housekeeping import CHECK_STYLES, check_line, report_lines
from wttui.present_plans import describe
from wttui.services import Services
from wttui.ui.flows import Flows
from wttui.ui.screens.confirm import ConfirmScreen
from wttui.ui.screens.inspect import InspectScreen
from wttui.ui.screens.report import ReportScreen

REVEAL_SECONDS = 3.0
"""`Y` twice within this many seconds copies the URL with its password."""


def incomplete(view: WorktreeView) -> bool:
    """Provisioned only in part, or not at all: `c` runs sync for it."""
    if view.worktree.prunable or view.target is None:
        return False
    stale = view.env is not None and not view.env.matches
    return view.db_status in (DbStatus.MISSING, DbStatus.STOPPED) or stale


class HousekeepingFlows:
    def __init__(self, app: App[None], flows: Flows) -> None:
        self.app = app
        self.flows = flows
        self.services = flows.services
        self._revealed_at = 0.0

    # -- sync --------------------------------------------------------------------------------

    def sync(self, view: WorktreeView) -> None:
        ref = str(view.worktree.path)
        label = view.worktree.label

        def run(plan: SyncPlan) -> None:
            self.flows._job(
                f"sync {label}",
                plan,
                lambda fresh, sink, cancel: sync(self.services, fresh, sink=sink, cancel=cancel),
                replan=lambda: plans_sync(self.services, ref, force=plan.force),
            )

        def confirm(plan: SyncPlan) -> None:
            question = plan.confirmation or Confirmation(f"Sync {label}?", yes="Sync")
            screen = ConfirmScreen(f"Sync {label} with its plan", describe(plan), question)
            self.app.push_screen(screen, lambda yes: run(plan) if yes else None)

        def refused(error: WttuiError) -> None:
            if not isinstance(error, EnvConflict):
                self.flows.host.report(error)
                return
            lines = [error.message, *error.diff.rstrip("\n").splitlines()]
            question = Confirmation("Replace the hand-set values?", yes="Replace")

            def answered(yes: bool | None) -> None:
                if yes:
                    self.flows._plan_then(lambda: plans_sync(self.services, ref, force=True), run)

            self.app.push_screen(ConfirmScreen(f"Sync {label}", lines, question), answered)

        self.flows._plan_then(lambda: plans_sync(self.services, ref), confirm, refused)

    # -- orphans -----------------------------------------------------------------------------

    def orphans(self) -> None:
        from wttui.orphans import read_orphans

        def show(report: OrphanReport) -> None:
            action = "Clean…" if report.orphans else None
            screen = ReportScreen(
                f"Orphans of {self.services.project}", report_lines(report), action=action, key="c"
            )
            self.app.push_screen(screen, lambda go: self._clean(report, False) if go else None)

        self.app.notify("Looking for orphans…")
        self.flows._plan_then(lambda: read_orphans(self.services), show)

    def _clean(self, report: OrphanReport, force: bool) -> None:
        from wttui.orphans import read_orphans
        from wttui.plans_housekeeping import plan_clean

        def confirm(plan: CleanPlan) -> None:
            assert plan.confirmation is not None
            screen = ConfirmScreen("Remove the orphans?", describe(plan), plan.confirmation)
            self.app.push_screen(
                screen,
                lambda yes: (
                    self.flows._job(
                        "clean orphans",
                        plan,
                        lambda fresh, sink, cancel: clean(
                            self.services, fresh, sink=sink, cancel=cancel
                        ),
                        # Orphans found again: another wttui may have made one of them live.
                        replan=lambda: plan_clean(
                            self.services, read_orphans(self.services), force=force
                        ),
                    )
                    if yes
                    else None
                ),
            )

        def refused(error: WttuiError) -> None:
            if isinstance(error, NeedsForce) and not force:
                question = Confirmation("End their sessions and remove them?", yes="Continue")
                lines = [error.message, *(error.hint and [error.hint] or [])]
                self.app.push_screen(
                    ConfirmScreen("Orphans in use", lines, question),
                    lambda yes: self._clean(report, True) if yes else None,
                )
            else:
                self.flows.host.report(error)

        self.flows._plan_then(
            lambda: plan_clean(self.services, report, force=force), confirm, refused
        )

    # -- doctor ------------------------------------------------------------------------------

    def doctor(self, view: WorktreeView | None) -> None:
        from rich.text import Text

        from wttui.doctor import diagnose

        def show(report: DoctorReport) -> None:
            lines = []
            for check in report.checks:
                line = Text(check_line(check), style=CHECK_STYLES[check.status])
                if check.fix and check.status.value not in ("ok", "info"):
                    line.append(f"\n        fix: {check.fix}", style="")
                lines.append(line)
            verdict = "all checks pass" if report.passed else "some checks FAIL"
            fixable = any(c.safe_fix and c.status.value != "ok" for c in report.checks)
            screen = ReportScreen(
                f"Doctor: {verdict}", lines, action="Fix…" if fixable else None, key="f"
            )
            self.app.push_screen(screen, lambda go: self._fix(report) if go else None)

        del view  # the whole project: the server and every worktree
        self.app.notify("Checking…")
        self.flows._plan_then(lambda: diagnose(self.services), show)

    def _fix(self, report: DoctorReport) -> None:
        from wttui.doctor import diagnose
        from wttui.plans_housekeeping import plan_fix

        def confirm(plan: FixPlan) -> None:
            if plan.confirmation is None:
                self.app.notify("No safe fix applies", severity="warning")
                return
            screen = ConfirmScreen("Run the safe fixes?", describe(plan), plan.confirmation)
            self.app.push_screen(
                screen,
                lambda yes: (
                    self.flows._job(
                        "doctor --fix",
                        plan,
                        lambda fresh, sink, cancel: fix(
                            self.services, fresh, sink=sink, cancel=cancel
                        ),
                        replan=lambda: plan_fix(self.services, diagnose(self.services)),
                    )
                    if yes
                    else None
                ),
            )

        self.flows._plan_then(lambda: plan_fix(self.services, report), confirm)

    # -- inspect and psql --------------------------------------------------------------------

    def inspect(self, view: WorktreeView) -> None:
        from wttui.inspect import read_table, read_tables

        ref = str(view.worktree.path)
        label = view.worktree.label

        def load(name: str) -> TableDetail:
            return read_table(self.services, ref, name)

        def show(tables: list[TableRow]) -> None:
            title = f"Inspect {label}: {len(tables)} table(s), enter for one"
            self.app.push_screen(InspectScreen(title, tables, load))

        self.flows._plan_then(lambda: read_tables(self.services, ref), show)

    def psql(self, view: WorktreeView) -> None:
        from wttui.inspect import client

        ref = str(view.worktree.path)

        def run(plan: ExecPlan) -> None:
            with self.services.libpq_env(plan.target) as libpq, self.app.suspend():
                print(f"wttui: {' '.join(plan.argv)} on {plan.target.label}; exit it to return")  # noqa: T201 - the terminal is psql's now
                subprocess.run(
                    list(plan.argv),
                    cwd=plan.worktree.path,
                    env={**os.environ, **libpq, **plan.env},
                    check=False,
                )
            self.app.refresh()

        self.flows._plan_then(lambda: plans_exec.plan_psql(self.services, ref, client()), run)

    # -- copy --------------------------------------------------------------------------------

    def copy_path(self, view: WorktreeView) -> None:
        self.app.copy_to_clipboard(str(view.worktree.path))
        self.app.notify(f"Copied {view.worktree.path}")

    def copy_url(self, view: WorktreeView) -> None:
        """The masked URL; the real one only when `Y` is pressed again right away."""
        target = view.target
        if target is None:
            self.app.notify("No database planned for this worktree", severity="warning")
            return
        if target.none:
            self.flows.host.report(NoDatabase(view.worktree.label, "copy the URL of"))
            return
        now = time.monotonic()
        if now - self._revealed_at < REVEAL_SECONDS:
            self._revealed_at = 0.0
            self.app.copy_to_clipboard(target.url)
            self.app.notify("Copied the URL WITH its password", severity="warning")
            return
        self._revealed_at = now
        self.app.copy_to_clipboard(target.masked_url)
        self.app.notify(f"Copied {target.masked_url} (Y again: with the password)")


def plans_sync(services: Services, ref: str, *, force: bool = False) -> SyncPlan:
    from wttui.plans_housekeeping import plan_sync

    return plan_sync(services, ref, force=force)
