"""`?` help: every key, where it works and what it does, filterable by typing; Enter runs the
chosen action."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from wttui.present import STATE_WORDS
from wttui.ui.commands import help_lines

MARKS = [
    *((f"{glyph}", f"migrations {words}") for glyph, words in STATE_WORDS.values()),
    ("⚠", "a problem: the Migrations pane says what (migrations unread, a warning)"),
    ("●", "uncommitted changes"),
    ("↑ ↓", "commits ahead of / behind upstream"),
    ("⟳", "an action is running on it"),
    ("– none", "its database does not exist yet (c provisions it)"),
    ("· no db", "no database on purpose (strategy none)"),
]
"""The legend of the Worktrees and Migrations panes' marks (`?` lists it after the keys)."""


class HelpScreen(ModalScreen[str | None]):
    """Returns the action name to run, or None."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        # The list scrolls by the page, to either end, from the filter field too (which would
        # take home/end for its cursor: ctrl+a/ctrl+e still move it).
        Binding("pagedown", "page(1)", show=False, priority=True),
        Binding("pageup", "page(-1)", show=False, priority=True),
        Binding("home", "end(-1)", show=False, priority=True),
        Binding("end", "end(1)", show=False, priority=True),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Static("Keys — type to filter, enter runs, esc closes", classes="dialog-title")
            yield Input(id="help-filter", placeholder="filter…")
            yield OptionList(id="help-list")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#help-filter", Input).focus()

    def _fill(self, text: str) -> None:
        """The keys matching `text` (in the key, its pane or its words), grouped by pane."""
        options = self.query_one("#help-list", OptionList)
        options.clear_options()
        needle = text.lower()
        groups: dict[str, list[Option]] = {}
        for keys, where, description, action in help_lines():
            if needle not in f"{keys} {where} {description}".lower():
                continue
            line = Text.assemble((f"{keys or '(palette)':<10}", "bold"), description)
            # Keys of a pane (and what the widgets do themselves) are listed, not run.
            groups.setdefault(where, []).append(Option(line, id=action, disabled=action is None))
        for where, lines in groups.items():
            options.add_option(Option(Text(where, style="bold underline"), disabled=True))
            options.add_options(lines)
        # What the list's glyphs mean: where a row has no room for the words, they stand alone.
        marks = [(mark, words) for mark, words in MARKS if needle in f"{mark} {words}".lower()]
        if marks:
            options.add_option(Option(Text("Marks", style="bold underline"), disabled=True))
            for mark, words in marks:
                line = Text.assemble((f"{mark:<10}", "bold"), words)
                options.add_option(Option(line, disabled=True))
        self._first_runnable()

    def _first_runnable(self) -> None:
        options = self.query_one("#help-list", OptionList)
        for index in range(options.option_count):
            if not options.get_option_at_index(index).disabled:
                options.highlighted = index
                return

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#help-list", OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, delta: int) -> None:
        """Up/down from the filter field (the list skips headers and keys it cannot run)."""
        options = self.query_one("#help-list", OptionList)
        if delta > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_page(self, direction: int) -> None:
        """A page down (1) or up (-1): the highlight moves a page and the view with it. Below
        the last key it can run (the Log's keys, the legend) nothing is highlighted — enter
        runs nothing unseen — and the page keys scroll the view alone."""
        options = self.query_one("#help-list", OptionList)
        before = options.highlighted
        if before is None:
            self._scroll_page(direction)
            return
        # Textual's own page keys (untyped there): they move the highlight, not the view.
        if direction > 0:
            options.action_page_down()  # type: ignore[no-untyped-call]
        else:
            options.action_page_up()  # type: ignore[no-untyped-call]
        if options.highlighted not in (None, before):
            if direction > 0:  # the page scrolled, not just the highlight to its bottom
                self.call_after_refresh(options.scroll_to_highlight, top=True)
        elif direction > 0:
            options.highlighted = None
            self.call_after_refresh(self._scroll_page, direction)
        else:
            self.action_end(-1)

    def _scroll_page(self, direction: int) -> None:
        options = self.query_one("#help-list", OptionList)
        options.scroll_relative(y=direction * options.size.height, animate=False)

    def action_end(self, direction: int) -> None:
        """Home (-1): the top, the first key highlighted; End (1): the bottom (the legend),
        nothing highlighted (up highlights the last key)."""
        options = self.query_one("#help-list", OptionList)
        if direction > 0:
            options.highlighted = None
            self.call_after_refresh(options.scroll_end, animate=False, immediate=True)
        else:
            options.action_first()
            self.call_after_refresh(options.scroll_home, animate=False, immediate=True)

    def action_close(self) -> None:
        self.dismiss(None)
