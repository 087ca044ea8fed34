"""The remove dialog: the plan (worktree, database dropped or kept and why), two boxes (force,
keep the database), and the database's name to type when it will be dropped.

Every toggle plans again, in the dialog's own worker, through the planner it was given: the
rules stay in the plan. A refusal that force overrides (uncommitted changes, open sessions) is
shown with the box to tick; the dialog returns exactly the plan it showed.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from wttui.core.plans import RemovePlan
from wttui.errors import WttuiError
from wttui.present_plans import describe
from wttui.ui.screens.confirm import not_typed
from wttui.ui.widgets import TickBox

RemovePlanner = Callable[[bool, bool], RemovePlan]
"""`(keep_db, force)` → the plan, or the refusal (called in a worker thread)."""


class RemoveScreen(ModalScreen[RemovePlan | None]):
    """Remove a worktree. When its database will be dropped, its name must be typed."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, label: str, planner: RemovePlanner, plan: RemovePlan | None, error: str | None
    ) -> None:
        super().__init__()
        self.label = label
        self.action_title = f"remove {label}"
        self._planner = planner
        self.plan = plan
        self._error = error

    @property
    def expected(self) -> str | None:
        """The name to type, or None when nothing is dropped."""
        if self.plan is None or self.plan.confirmation is None:
            return None
        return self.plan.confirmation.typed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(f"Remove worktree {self.label}?"), classes="dialog-title")
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(self._body(), id="body", classes="dialog-body")
            yield TickBox("force (discard changes, end sessions)", id="force")
            yield TickBox("keep the database", id="keep")
            yield Static("", id="prompt")
            yield Input(id="typed")
            with Horizontal(classes="buttons"):
                yield Button("Remove", id="confirm", variant="error")
                yield Button("Cancel (esc)", id="cancel", variant="primary")

    def on_mount(self) -> None:
        self._update()

    def _body(self) -> Text:
        if self.plan is None:
            return Text(f"⚠ {self._error or 'planning…'}", style="yellow")
        return Text("\n".join(describe(self.plan)))

    def _update(self) -> None:
        plan = self.plan
        self.query_one("#body", Static).update(self._body())
        expected = self.expected
        typed = self.query_one("#typed", Input)
        typed.display = expected is not None
        prompt = self.query_one("#prompt", Static)
        confirm = self.query_one("#confirm", Button)
        if expected is None:
            prompt.update("")
            confirm.disabled = plan is None
            self.query_one("#cancel", Button).focus()
        else:
            prompt.update(Text.assemble("Type ", (expected, "bold"), " to confirm:"))
            confirm.disabled = typed.value != expected
            typed.focus()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.plan = None
        self._error = "planning…"
        self._update()
        keep = self.query_one("#keep", Checkbox).value
        force = self.query_one("#force", Checkbox).value
        self._replan(keep, force)

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def _replan(self, keep: bool, force: bool) -> None:
        try:
            plan = self._planner(keep, force)
        except WttuiError as exc:
            self.app.call_from_thread(self._planned, keep, force, None, exc.message)
            return
        self.app.call_from_thread(self._planned, keep, force, plan, None)

    def _planned(self, keep: bool, force: bool, plan: RemovePlan | None, error: str | None) -> None:
        if not self.is_mounted:
            return
        if (keep, force) != (
            self.query_one("#keep", Checkbox).value,
            self.query_one("#force", Checkbox).value,
        ):
            return  # the boxes changed again since
        self.plan, self._error = plan, error
        self._update()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#confirm", Button).disabled = (
            self.plan is None or event.value != self.expected
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.plan is not None and event.value == self.expected:
            self.dismiss(self.plan)
        elif self.plan is not None:
            not_typed(self, self.expected)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "confirm" and self.plan is not None:
            self.dismiss(self.plan)
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
