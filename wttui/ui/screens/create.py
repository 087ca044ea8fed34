"""The create dialog: branch and base, with the plan (path, database, URL) shown as you type.

The plan comes from the app (a worker asks the services), so typing never blocks; answers for
text that has changed since are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Input, Label, Static

from wttui.core.models import CreatePlan
from wttui.ui.messages import PlanCreate


@dataclass(frozen=True)
class CreateRequest:
    branch: str
    base: str | None


class CreateScreen(ModalScreen[CreateRequest | None]):
    """Asks for a branch (and an optional base); Enter creates, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self) -> None:
        super().__init__()
        self._plan: CreatePlan | None = None
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Create a worktree with its own database", classes="dialog-title")
            yield Label("Branch (new or existing)")
            yield Input(id="branch", placeholder="feat/user-auth")
            yield Label("Base ref for a new branch (empty: main's HEAD)")
            yield Input(id="base", placeholder="main")
            yield Static("type a branch name", id="plan", classes="dialog-body")
            with Horizontal(classes="buttons"):
                yield Button("Create (enter)", id="create", variant="success", disabled=True)
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#branch", Input).focus()

    @property
    def request(self) -> tuple[str, str]:
        return (self.query_one("#branch", Input).value, self.query_one("#base", Input).value)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._plan = None
        self.query_one("#create", Button).disabled = True
        if self._debounce is not None:
            self._debounce.stop()
        branch, base = self.request
        if not branch:
            self.query_one("#plan", Static).update("type a branch name")
            return
        self.query_one("#plan", Static).update("checking…")
        self._debounce = self.set_timer(0.25, lambda: self.post_message(PlanCreate(*self.request)))

    def show_plan(
        self, request: tuple[str, str], plan: CreatePlan | None, error: str | None
    ) -> None:
        """Called by the app with the plan for `request` (ignored when the input moved on)."""
        if request != self.request:
            return
        self._plan = plan
        self.query_one("#create", Button).disabled = plan is None
        if plan is None:
            self.query_one("#plan", Static).update(f"[red]✗ {error}[/red]")
            return
        kind = (
            "existing branch" if plan.existing_branch else f"new branch from {plan.base or 'HEAD'}"
        )
        self.query_one("#plan", Static).update(
            f"worktree  {plan.path}\n"
            f"branch    {plan.branch} ({kind})\n"
            f"database  {plan.target.label} on {plan.target.server}\n"
            f"url       {plan.target.masked_url}\n"
            f"env file  {plan.env_file}"
        )

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
            self.notify("Wait for the plan, or fix the branch name", severity="warning")
            return
        self.dismiss(CreateRequest(self._plan.branch, self._plan.base))

    def action_cancel(self) -> None:
        self.dismiss(None)
