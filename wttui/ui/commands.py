"""The one table of user actions: key bindings, the help screen and the command palette.

Keeping them in one list means every action has a key, a line in `?` help and an entry in the
palette, and a remapped key shows up everywhere at once. A key works where its `owner` is in
the focus chain: the app (anywhere), the pane layout, the list tables or the Log pane; `where`
is how `?` help names that place for the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider

ANYWHERE = "anywhere"
LISTS = "Worktrees, Migrations"


@dataclass(frozen=True)
class ActionInfo:
    """One user action."""

    action: str
    """The action name (`action_<name>` on the owner), with arguments: `sort('size')`."""
    key: str
    """Textual key names, comma-separated; empty for palette-only actions."""
    description: str
    footer: str = ""
    """Short label in the footer; empty: not shown there (at most seven are)."""
    key_display: str | None = None
    where: str = ANYWHERE
    """The pane where the key works, as `?` help shows it."""
    owner: str = "app"
    """Whose BINDINGS carry the key: `app`, `panes` (the layout), `table`, `log`, `database`."""
    palette: bool = True
    """Offered in the command palette (only app actions can be, by their name)."""

    @property
    def keys(self) -> str:
        """The key(s) as the user types them."""
        return self.key_display or self.key


def _focus(number: int, name: str) -> ActionInfo:
    return ActionInfo(f"focus_pane({number})", str(number), f"Focus the {name} pane (again: zoom)")


def _sort(key: str, label: str) -> ActionInfo:
    return ActionInfo(f"sort('{key}')", "", f"Sort worktrees by {label} (main stays first)")


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
    ActionInfo("orphans", "X", "Orphans: what no live worktree uses; clean them", key_display="X"),
    ActionInfo("doctor", "H", "Doctor: check the server, .env files, tools; fix", key_display="H"),
    ActionInfo("inspect", "i", "Inspect the selected worktree's tables"),
    ActionInfo("psql", "p", "Open psql (or pgcli) on the selected worktree's database"),
    ActionInfo("copy_path", "y", "Copy the selected worktree's path (OSC 52)"),
    ActionInfo("copy_url", "Y", "Copy its URL, masked (again: with password)", key_display="Y"),
    ActionInfo("refresh", "R", "Refresh everything now", key_display="R"),
    ActionInfo("filter", "slash", "Filter the worktree list", key_display="/"),
    ActionInfo("drill", "enter", "Drill in: the selected worktree's migrations", where="Worktrees"),
    ActionInfo(
        "back_out",
        "escape",
        "Back (unzoom, close the filter, return to worktrees)",
        key_display="esc",
    ),
    _focus(1, "Worktrees"),
    _focus(2, "Database"),
    _focus(3, "Migrations"),
    _focus(4, "Log"),
    ActionInfo("next_pane", "tab", "Next pane", owner="panes", key_display="tab", palette=False),
    ActionInfo("previous_pane", "shift+tab", "Previous pane", owner="panes", palette=False),
    ActionInfo("cursor_down", "j", "Down", where=LISTS, owner="table"),
    ActionInfo("cursor_up", "k", "Up", where=LISTS, owner="table"),
    ActionInfo("scroll_top", "g", "First row", where=LISTS, owner="table"),
    ActionInfo("scroll_bottom", "G", "Last row", where=LISTS, owner="table", key_display="G"),
    ActionInfo("scroll_down", "j", "Scroll the details down", where="Database", owner="database"),
    ActionInfo("scroll_up", "k", "Scroll the details up", where="Database", owner="database"),
    ActionInfo("scroll_down", "j", "Scroll down", where="Log", owner="log"),
    ActionInfo("scroll_up", "k", "Scroll up (stops following new lines)", where="Log", owner="log"),
    ActionInfo("scroll_home", "g", "Top of the log", where="Log", owner="log"),
    ActionInfo(
        "follow",
        "G",
        "Bottom of the log; follow new lines",
        where="Log",
        owner="log",
        key_display="G",
    ),
    ActionInfo("search", "slash", "Search the log", where="Log", owner="log", key_display="/"),
    ActionInfo(
        "close_search", "escape", "Close the search", where="Log", owner="log", key_display="esc"
    ),
    ActionInfo("next_match", "n", "Next match of the search", where="Log", owner="log"),
    ActionInfo("previous_match", "N", "Previous match", where="Log", owner="log", key_display="N"),
    _sort("name", "name"),
    _sort("commit", "last commit"),
    _sort("size", "database size"),
    _sort("pending", "pending migrations"),
    ActionInfo("save_log", "", "Save the log to a file"),
    ActionInfo(
        "command_palette",
        "ctrl+p,colon",
        "Command palette: every action by name",
        key_display="ctrl+p :",
    ),
    ActionInfo(
        "quit_here", "q", "Quit (with shell-init: the shell goes to the selection)", footer="quit"
    ),
    ActionInfo("quit", "Q", "Quit, staying in the shell's directory", key_display="Q"),
    ActionInfo(
        "help", "question_mark", "Help: every key, filterable", footer="help", key_display="?"
    ),
)

NAVIGATION: tuple[tuple[str, str, str], ...] = (
    ("↓ ↑", LISTS, "Move the cursor (pgup/pgdn/home/end too)"),
    ("↓ ↑", "Log", "Scroll (pgup/pgdn too)"),
    ("click", LISTS, "Select a row (double-click: drill in)"),
)
"""Keys handled by the widgets themselves, listed in `?` help with the actions."""

_PRIORITY = ("quit", "quit_here", "help")
"""App keys that work even when a text field has the focus."""


def bindings(owner: str = "app") -> list[BindingType]:
    """The bindings of `owner` built from `ACTIONS` (`id` = the action name, for remapping)."""
    return [
        Binding(
            info.key,
            info.action,
            info.footer or info.description,
            show=bool(info.footer),
            key_display=info.key_display,
            id=f"{owner}.{info.action}" if owner != "app" else info.action,
            priority=owner == "app" and info.action in _PRIORITY,
        )
        for info in ACTIONS
        if info.owner == owner and info.key
    ]


def help_lines() -> list[tuple[str, str, str, str | None]]:
    """`(keys, where, description, runnable action or None)` for every key, actions first."""
    lines = [
        (info.keys, info.where, info.description, info.action if _runs(info) else None)
        for info in ACTIONS
    ]
    return lines + [(keys, where, text, None) for keys, where, text in NAVIGATION]


def _runs(info: ActionInfo) -> bool:
    """Can `?` help and the palette run it? App actions only, by name."""
    return info.owner == "app" and info.palette and info.action != "command_palette"


class ActionCommands(Provider):
    """The command palette over the same table as the bindings."""

    def _runnable(self) -> list[ActionInfo]:
        return [info for info in ACTIONS if _runs(info) and info.action != "back_out"]

    def _help(self, info: ActionInfo) -> str:
        return f"key: {info.keys}" if info.key else "palette only"

    async def discover(self) -> Hits:
        for info in self._runnable():
            yield DiscoveryHit(
                info.description, partial(self.app.run_action, info.action), help=self._help(info)
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
                    help=self._help(info),
                )
