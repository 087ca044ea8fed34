"""The remove dialog: names the worktree and its database; dropping needs the name typed."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from wttui.core.models import RemovePlan


@dataclass(frozen=True)
class RemoveRequest:
    force: bool
    keep_db: bool


class RemoveScreen(ModalScreen[RemoveRequest | None]):
    """Remove a worktree. When its database will be dropped, its name must be typed."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, plan: RemovePlan) -> None:
        super().__init__()
        self.plan = plan

    @property
    def expected(self) -> str | None:
        """The name to type, or None when nothing is dropped."""
        keep = self.is_mounted and self.query_one("#keep", Checkbox).value
        if self.plan.will_drop and self.plan.target is not None and not keep:
            return self.plan.target.label
        return None

    def _body(self) -> str:
        plan = self.plan
        worktree = plan.worktree
        lines = [f"worktree  {worktree.label}", f"path      {worktree.path}"]
        target = plan.target
        if target is None or not plan.database_exists:
            lines.append("database  none to drop")
        elif plan.shared_with:
            lines.append(
                f"database  {target.label} is KEPT: also used by {', '.join(plan.shared_with)}"
            )
        else:
            lines.append(f"database  {target.label} on {target.server} will be DROPPED")
            if plan.sessions:
                lines.append(f"          {plan.sessions} open session(s) — tick force to end them")
        if worktree.dirty:
            lines.append("[yellow]⚠ uncommitted changes: tick force to discard them[/yellow]")
        return "\n".join(lines)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Remove worktree {self.plan.worktree.label}?", classes="dialog-title")
            yield Static(self._body(), classes="dialog-body")
            yield Checkbox("force (discard changes, end sessions)", id="force")
            yield Checkbox("keep the database", id="keep", disabled=not self.plan.will_drop)
            yield Static("", id="prompt")
            yield Input(id="typed")
            with Horizontal(classes="buttons"):
                yield Button("Remove", id="confirm", variant="error")
                yield Button("Cancel (esc)", id="cancel", variant="primary")

    def on_mount(self) -> None:
        self._update()

    def _update(self) -> None:
        expected = self.expected
        typed = self.query_one("#typed", Input)
        typed.display = expected is not None
        prompt = self.query_one("#prompt", Static)
        if expected is None:
            prompt.update("")
            self.query_one("#confirm", Button).disabled = False
            self.query_one("#cancel", Button).focus()
        else:
            prompt.update(f"Type [b]{expected}[/b] to drop it:")
            self.query_one("#confirm", Button).disabled = typed.value != expected
            typed.focus()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "keep":
            self._update()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#confirm", Button).disabled = event.value != self.expected

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value == self.expected:
            self._confirm()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "confirm":
            self._confirm()
        else:
            self.dismiss(None)

    def _confirm(self) -> None:
        self.dismiss(
            RemoveRequest(
                force=self.query_one("#force", Checkbox).value,
                keep_db=self.query_one("#keep", Checkbox).value,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
