"""The app's lifecycle flows: `C` clone, `S` snapshot, `z` undo, `V` snapshots, `T` trash.

As in `flows.py`: every read and plan runs in a worker, the UI thread only pushes screens with
what was read (rows of words), and every rule lives in the plans.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from wttui import plans_data, plans_lifecycle
from wttui.core.housekeeping import AnyPlan as Plan
from wttui.core.logsink import CancelToken, LogSink
from wttui.core.models import DbStatus, WorktreeView
from wttui.present_lifecycle import size, undo_title
from wttui.present_plans import describe
from wttui.services import Services
from wttui.ui.flows import Flows
from wttui.ui.format import age as compact_age
from wttui.ui.screens.confirm import ConfirmScreen
from wttui.ui.screens.pick import Choice, PickScreen

Rows = list[tuple[str, list[str]]]
Q = TypeVar("Q", bound=Plan)
Q_in = TypeVar("Q_in", bound=Plan, contravariant=True)


class Execute(Protocol[Q_in]):
    """An action: `execute(services, plan, sink=…, cancel=…)`."""

    def __call__(
        self, services: Services, plan: Q_in, /, *, sink: LogSink, cancel: CancelToken
    ) -> object: ...


class LifecycleFlows(Flows):
    """Clone, snapshot, restore, undo and the trash, as the app runs them."""

    def _plan_confirm_run(
        self,
        title: str,
        planner: Callable[[], Q],
        execute: Execute[Q],
        *,
        job: str | Callable[[Q], str] | None = None,
        worktree: Path | None = None,
    ) -> None:
        """Plan in a worker, ask the plan's question (when it has one), then run `execute`
        as a job; planned again by `planner` if it had to wait for another wttui. `job`
        names the running action (`clone feat/x`: the Log title, the row's mark on
        `worktree`), or words it from the plan (`undo remove feat/x`); default: the question's
        title."""

        def planned(plan: Q) -> None:
            name = job(plan) if callable(job) else job

            def start() -> None:
                self._job(
                    name or title,
                    plan,
                    lambda fresh, sink, cancel: execute(
                        self.services, fresh, sink=sink, cancel=cancel
                    ),
                    worktree,
                    replan=planner,
                )

            question = getattr(plan, "confirmation", None)
            if question is None:
                start()
                return
            screen = ConfirmScreen(title, describe(plan), question)
            self.app.push_screen(screen, lambda yes: start() if yes else None)

        self._plan_then(planner, planned, title=job if isinstance(job, str) and job else title)

    # -- clone: pick the source --------------------------------------------------------------

    def clone(self, view: WorktreeView, others: list[WorktreeView]) -> None:
        """`C`: replace the selected worktree's database with a copy of another's."""
        from wttui.actions.clone import clone

        dest = str(view.worktree.path)
        # Only worktrees with a database to copy: not one with none (strategy none), nor one
        # whose database is missing (the list says `– none` for it).
        rows: Rows = [
            (str(o.worktree.path), [o.worktree.label, o.target.label if o.target else "?"])
            for o in others
            if o.worktree.path != view.worktree.path
            and not (o.target and o.target.none)
            and o.db_status in (DbStatus.PRESENT, DbStatus.STOPPED)
        ]

        def chosen(choice: Choice | None) -> None:
            if choice is None:
                return
            self._plan_confirm_run(
                f"Clone into {view.worktree.label}?",
                lambda: plans_data.plan_clone(self.services, choice.row_id, dest),
                clone,
                job=f"clone {view.worktree.label}",
                worktree=view.worktree.path,
            )

        def pick(_: None) -> None:
            self.app.push_screen(
                PickScreen(
                    f"Copy whose data into {view.worktree.label}?",
                    ["WORKTREE", "DATABASE"],
                    rows,
                    {"enter": ("clone", "copy its data")},
                    "No other worktree with a database to copy from",
                ),
                chosen,
            )

        # What rules out DST alone (no database, a shared one) is said before the question.
        self._plan_then(lambda: plans_data.check_clone_into(self.services, dest), pick)

    # -- snapshots ---------------------------------------------------------------------------

    def snapshot(self, view: WorktreeView) -> None:
        """`S`: snapshot the selected worktree's database now (cheap: no question)."""
        from wttui.actions.snapshot import snapshot

        ref = str(view.worktree.path)
        self._plan_then(
            lambda: plans_lifecycle.plan_snapshot(self.services, ref),
            lambda plan: self._job(
                f"snapshot {view.worktree.label}",
                plan,
                lambda fresh, sink, cancel: snapshot(
                    self.services, fresh, sink=sink, cancel=cancel
                ),
                view.worktree.path,
            ),
            title=f"snapshot {view.worktree.label}",
        )

    def snapshots(self, view: WorktreeView) -> None:
        """`V`: the selected worktree's snapshots; enter restores, d deletes."""
        label = view.worktree.label
        ref = str(view.worktree.path)

        def read() -> Rows:
            return [
                (
                    s.name,
                    [  # what tells snapshots apart first: the list fits 80 columns
                        s.name,
                        compact_age(s.created_at),
                        s.migration,
                        s.reason,
                        size(s.size_bytes),
                        s.method,
                    ],
                )
                for s in self.services.lifecycle.snapshots.listing(label)
            ]

        def chosen(choice: Choice | None) -> None:
            if choice is None:
                return
            if choice.verb == "restore":
                from wttui.actions.snapshot import restore

                self._plan_confirm_run(
                    "Restore?",
                    lambda: plans_lifecycle.plan_restore(self.services, ref, choice.row_id),
                    restore,
                    job=f"restore {label} from {choice.row_id}",
                    worktree=view.worktree.path,
                )
            else:
                from wttui.actions.snapshot import delete

                self._plan_confirm_run(
                    "Delete the snapshot?",
                    lambda: plans_lifecycle.plan_snapshot_delete(self.services, ref, choice.row_id),
                    delete,
                    job=f"delete snapshot {choice.row_id} of {label}",
                )

        def show(rows: Rows) -> None:
            screen = PickScreen(
                f"Snapshots of {label}",
                ["NAME", "AGE", "MIGRATION", "WHY", "SIZE", "METHOD"],
                rows,
                {"enter": ("restore", "restore"), "d": ("delete", "delete")},
                f"No snapshots of {label} yet: S takes one",
            )
            self.app.push_screen(screen, chosen)

        self._plan_then(read, show)

    # -- trash -------------------------------------------------------------------------------

    def trash(self) -> None:
        """`T`: what was dropped, newest first; enter brings one back."""

        def read() -> Rows:
            lifecycle = self.services.lifecycle
            items = lifecycle.trash.items()
            drops = lifecycle.soft_drops() if items else None
            return [
                (
                    item.name,
                    [
                        item.original,
                        item.branch or item.worktree or "-",
                        item.reason,
                        compact_age(item.trashed_at),
                        size(item.size_bytes) if drops and drops.exists(item) else "GONE",
                    ],
                )
                for item in items
            ]

        def chosen(choice: Choice | None) -> None:
            if choice is not None:
                self.undo(choice.row_id)

        def show(rows: Rows) -> None:
            screen = PickScreen(
                "Trash (z undoes the newest)",
                ["WAS", "WORKTREE", "WHY", "AGE", "SIZE"],
                rows,
                {"enter": ("restore", "bring back")},
                "The trash is empty",
            )
            self.app.push_screen(screen, chosen)

        self._plan_then(read, show)

    def undo(self, name: str | None = None) -> None:
        """`z`: bring back the newest trash item (or `name`), its worktree too."""
        from wttui.actions.trash import undo

        self._plan_confirm_run(
            "Undo?",
            lambda: plans_lifecycle.plan_undo(self.services, name),
            undo,
            job=lambda plan: undo_title(plan, picked=name is not None),
        )
