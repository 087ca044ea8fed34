"""The one table of user actions: key bindings, the help screen and the command palette.

Keeping them in one list means every action has a key, a line in `?` help and an entry in the
palette, and a remapped key shows up everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True)
class ActionInfo:
    """One user action."""

    action: str
    """The app's action name (`action_<name>`)."""
    key: str
    description: str
    footer: str = ""
    """Short label in the footer; empty: not shown there (at most seven are)."""
    key_display: str | None = None


ACTIONS: tuple[ActionInfo, ...] = (
    ActionInfo("create", "c", "Create a worktree with its own database", footer="create"),
    ActionInfo(
        "migrate", "m", "Apply pending migrations of the selected worktree", footer="migrate"
    ),
    ActionInfo("rollback", "b", "Roll back the newest migration of the selected worktree"),
    ActionInfo(
        "remove", "d", "Remove the selected worktree and drop its database", footer="remove"
    ),
    ActionInfo(
        "drift", "D", "Drift: this branch against the others (again: back)", key_display="D"
    ),
    ActionInfo("container", "s", "Start or stop the selected worktree's container"),
    ActionInfo(
        "clone",
        "C",
        "Clone: replace the selected database with a copy of another's",
        key_display="C",
    ),
    ActionInfo("snapshot", "S", "Snapshot the selected worktree's database", key_display="S"),
    ActionInfo(
        "snapshots",
        "V",
        "View the selected worktree's snapshots (restore, delete)",
        key_display="V",
    ),
    ActionInfo("undo", "z", "Undo the last drop (brings back its worktree too)"),
    ActionInfo("trash", "T", "View the trash (bring a dropped database back)", key_display="T"),
    ActionInfo("container_logs", "L", "Show the container's last log lines", key_display="L"),
    ActionInfo("cancel_job", "x", "Cancel the running action", footer="cancel"),
    ActionInfo("refresh", "R", "Refresh everything now", key_display="R"),
    ActionInfo("filter", "slash", "Filter the worktree list", key_display="/"),
    ActionInfo("drill", "enter", "Show the selected worktree's migrations"),
    ActionInfo("back_out", "escape", "Back (close the filter, unzoom, return to worktrees)"),
    ActionInfo("focus_pane(1)", "1", "Focus the Worktrees pane (again: zoom)"),
    ActionInfo("focus_pane(2)", "2", "Focus the Database pane (again: zoom)"),
    ActionInfo("focus_pane(3)", "3", "Focus the Migrations pane (again: zoom)"),
    ActionInfo("focus_pane(4)", "4", "Focus the Log pane (again: zoom)"),
    ActionInfo("command_palette", "colon", "Command palette", key_display=":"),
    ActionInfo("quit", "q", "Quit", footer="quit"),
    ActionInfo(
        "help", "question_mark", "Help: every key, filterable", footer="help", key_display="?"
    ),
)

NAVIGATION: tuple[tuple[str, str], ...] = (
    ("j k ↓ ↑", "Move the cursor in the focused list"),
    ("g G", "First / last row"),
    ("tab", "Next pane (shift+tab: previous)"),
    ("ctrl+p", "Command palette: every action by name"),
)
"""Keys handled by the widgets themselves, listed in `?` help with the actions."""


def bindings() -> list[BindingType]:
    """App bindings built from `ACTIONS` (`id` = the action name, for remapping)."""
    return [
        Binding(
            info.key,
            info.action,
            info.footer or info.description,
            show=bool(info.footer),
            key_display=info.key_display,
            id=info.action,
            priority=info.action in ("quit", "help"),
        )
        for info in ACTIONS
    ]


class ActionCommands(Provider):
    """The command palette over the same table as the bindings."""

    def _runnable(self) -> list[ActionInfo]:
        return [info for info in ACTIONS if info.action not in ("command_palette", "back_out")]

    async def discover(self) -> Hits:
        for info in self._runnable():
            yield DiscoveryHit(
                info.description,
                partial(self.app.run_action, info.action),
                help=f"key: {info.key_display or info.key}",
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for info in self._runnable():
            score = matcher.match(info.description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(info.description),
                    partial(self.app.run_action, info.action),
                    help=f"key: {info.key_display or info.key}",
                )
