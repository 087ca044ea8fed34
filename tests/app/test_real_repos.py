"""Issue 11 findings that need a real repository and server: long branch names made and removed
with git, and a migration that really failed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import steps
from tests.app.conftest import loaded, text_in, wait_until
from tests.app.test_app import provisioned
from wttui.errors import WttuiError
from wttui.ui import format as fmt
from wttui.ui.app import make_app
from wttui.ui.panes.migrations import MigrationsPane
from wttui.ui.panes.worktrees import WorktreesPane

LONG = "feature/PROJ-1234-add-stripe-webhook-retry-queue"


async def test_a_long_branch_name_is_cut_and_forgotten_once_removed(repo: Path) -> None:
    services = provisioned(repo, "feat/short", LONG)
    app = make_app(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        table = app.query_one(WorktreesPane).table
        # The pane takes the width its rows need once they are measured (80–119 columns): the
        # table is drawn again for it, and then every column title reads whole.
        await wait_until(
            pilot, lambda: "Age" in text_in(app, table.region)[0], what="the header at its width"
        )
        rows = text_in(app, table.region)
        assert "Migrations" in rows[0]
        long_row = next(row for row in rows if "PROJ-1234" in row)
        assert "…" in long_row
        assert "✓2" in long_row  # its migrations, on screen
        wide = table.ordered_columns[0].width

        steps.remove(services, LONG)
        app.refresher.request()
        await wait_until(
            pilot, lambda: "PROJ" not in "".join(text_in(app, table.region)), what="the removal"
        )
        await pilot.pause()
        assert table.ordered_columns[0].width < wide
        assert app.snapshot is not None
        longest = max(len(fmt.branch_cell(view)) for view in app.snapshot.views)
        assert table.ordered_columns[0].width == longest


async def test_a_failed_migration_says_failed_and_points_to_resolve(repo: Path) -> None:
    services = provisioned(repo, "feat/broken")
    folder = services.resolve("feat/broken").path / "migrations"
    (folder / "003_broken.sql").write_text("SELECT * FROM no_such_table;\n")
    with pytest.raises(WttuiError):
        steps.migrate(services, "feat/broken")
    app = make_app(services)
    async with app.run_test(size=(120, 34)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "enter", "G")
        await pilot.pause()
        pane = app.query_one(MigrationsPane)
        rows = "\n".join(text_in(app, pane.table.region))
        assert "✗ FAILED" in rows
        detail = "\n".join(text_in(app, pane.query_one("#migration-detail").region))
        assert "003_broken.sql" in detail
        assert not re.search(r"applied \S+ ago", detail)  # a failed run applied nothing
        assert "no_such_table" in detail
        assert "wttui resolve feat/broken 003" in detail
