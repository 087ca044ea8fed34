"""The create dialog: branch and base, with the plan (worktree, database, URL, `.env` lines)
shown as you type.

The dialog is given the planner (a plain callable) and runs it in its own thread worker, so
typing never blocks and the dialog never imports the services; an answer for text that has
changed since is ignored (Textual's dictionary example). When the plan is refused for a reason
the user may knowingly accept — the database exists unowned, the `.env` has a hand-set value —
a box to accept it appears, and the plan is made again with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Input, Label, Static

from wttui.core.housekeeping import SyncPlan
from wttui.core.plans import CreatePlan
from wttui.errors import AdoptableDatabase, EnvConflict, WttuiError
from wttui.present_plans import describe
from wttui.ui.widgets import TickBox


@dataclass(frozen=True)
class CreateRequest:
    """What the dialog holds: the planner's arguments."""

    branch: str
    base: str | None
    adopt: bool = False
    force_env: bool = False


CreatePlanner = Callable[[CreateRequest], CreatePlan | SyncPlan]
"""Makes the plan for a request, or raises the refusal (in a worker thread): a sync of the
branch's worktree when it has one already."""


class CreateScreen(ModalScreen[CreatePlan | SyncPlan | None]):
    """Asks for a branch (and an optional base); Enter creates, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    action_title = "create"

    def __init__(self, planner: CreatePlanner, branch: str = "") -> None:
        super().__init__()
        self._planner = planner
        self._branch = branch
        self._plan: CreatePlan | SyncPlan | None = None
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Create a worktree with its own database", classes="dialog-title")
            yield Label("Branch (new or existing)")
            yield Input(self._branch, id="branch", placeholder="feat/user-auth")
            yield Label("Base ref for a new branch (empty: main's HEAD)")
            yield Input(id="base", placeholder="main")
            with VerticalScroll(classes="dialog-scroll"):
                yield Static("type a branch name", id="plan", classes="dialog-body")
            yield TickBox("adopt the existing database", id="adopt")
            yield TickBox("overwrite the hand-set .env value", id="force")
            with Horizontal(classes="buttons"):
                yield Button("Create (enter)", id="create", variant="success", disabled=True)
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#adopt").display = False
        self.query_one("#force").display = False
        self.query_one("#branch", Input).focus()
        if self._branch:
            self._changed()

    @property
    def request(self) -> CreateRequest:
        base = self.query_one("#base", Input).value.strip()
        return CreateRequest(
            branch=self.query_one("#branch", Input).value.strip(),
            base=base or None,
            adopt=self.query_one("#adopt", Checkbox).value,
            force_env=self.query_one("#force", Checkbox).value,
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        for box in ("#adopt", "#force"):
            self.query_one(box, Checkbox).value = False
            self.query_one(box).display = False
        self._changed()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._changed()

    def _changed(self) -> None:
        self._plan = None
        self.query_one("#create", Button).disabled = True
        if self._debounce is not None:
            self._debounce.stop()
        if not self.request.branch:
            self.query_one("#plan", Static).update("type a branch name")
            return
        self.query_one("#plan", Static).update("checking…")
        self._debounce = self.set_timer(0.25, lambda: self._make_plan(self.request))

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def _make_plan(self, request: CreateRequest) -> None:
        try:
            plan = self._planner(request)
        except WttuiError as exc:
            self.app.call_from_thread(self._show, request, None, exc)
            return
        self.app.call_from_thread(self._show, request, plan, None)

    def _show(
        self, request: CreateRequest, plan: CreatePlan | SyncPlan | None, error: WttuiError | None
    ) -> None:
        """The plan for `request` (ignored when the input moved on since it was asked for)."""
        if not self.is_mounted or request != self.request:
            return
        self._plan = plan
        self.query_one("#create", Button).disabled = plan is None
        if plan is not None:
            verb = "Sync" if isinstance(plan, SyncPlan) else "Create"  # the branch has a worktree
            self.query_one("#create", Button).label = f"{verb} (enter)"
            self.query_one("#plan", Static).update(Text("\n".join(describe(plan))))
            return
        text = Text(f"✗ {error.message if error else 'cannot plan'}", style="red")
        if isinstance(error, EnvConflict):
            text.append("\n" + error.diff.rstrip("\n"))
            self.query_one("#force").display = True
        elif isinstance(error, AdoptableDatabase):
            self.query_one("#adopt").display = True
        elif error is not None and error.hint:
            text.append(f"\n{error.hint}", style="yellow")
        self.query_one("#plan", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "create":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        if self._plan is None:
            self.notify("Wait for the plan, or fix what it says", severity="warning")
            return
        self.dismiss(self._plan)

    def action_cancel(self) -> None:
        self.dismiss(None)
