"""Ages read alike everywhere: the CLI's listings (`wttui trash`, `wttui snapshots`) say `3s ago`
as the app does, never `3 seconds ago` — one style, `wttui.core.ages.short_age`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.cli.conftest import wttui
from wttui.core.ages import short_age
from wttui.present_lifecycle import age

AGE = re.compile(r"\b\d+[smhdw] ago\b")


def _rows(listing: str, word: str) -> list[str]:
    return [line for line in listing.splitlines() if word in line]


def test_trash_and_snapshots_say_ages_the_way_the_app_does(repo: Path) -> None:
    assert wttui(repo, "create", "own").returncode == 0
    assert wttui(repo, "snapshot", "own", "--name", "kept").returncode == 0
    assert wttui(repo, "remove", "own", "--yes").returncode == 0

    trash = wttui(repo, "trash")
    assert trash.returncode == 0, trash.stderr
    (line,) = _rows(trash.stdout, "remove")
    assert AGE.search(line), line
    assert "second" not in trash.stdout

    snapshots = wttui(repo, "snapshots")
    assert snapshots.returncode == 0, snapshots.stderr
    (line,) = _rows(snapshots.stdout, "kept")
    assert AGE.search(line), line


def test_an_age_is_its_largest_whole_unit() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    said = {
        seconds: age(now - timedelta(seconds=seconds), now)
        for seconds in (0, 59, 60, 3599, 3600, 86400 * 6, 86400 * 7, 86400 * 20)
    }
    assert said == {
        0: "0s ago",
        59: "59s ago",
        60: "1m ago",
        3599: "59m ago",
        3600: "1h ago",
        86400 * 6: "6d ago",
        86400 * 7: "1w ago",
        86400 * 20: "2w ago",
    }
    assert short_age(timedelta(seconds=-5)) == "0s"  # a clock a little ahead never says `-5s`
