"""The words a measured step and a running action are shown with (issue 11, item 3): the
CLI's percentage lines, the Log title cut to its width with the seconds always kept, the row's
mark kept short where the name needs the room."""

from __future__ import annotations

import io
import time

import pytest
from rich.cells import cell_len

from wttui.cli import common
from wttui.present import progress_words
from wttui.ui.progress import doing, running_title


def test_progress_words_say_the_share_and_the_sizes() -> None:
    assert progress_words(3 << 20, 12 << 20, "pg_dump") == "pg_dump: 25% (3.0 MiB of 12.0 MiB)"
    assert progress_words(20, 10) == "100% (10 Bytes of 10 Bytes)"


def test_the_cli_prints_progress_only_once_a_step_has_run_a_while(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()
    sink = common.PrintSink(stream)
    sink.progress(1, 4, "copy")
    sink.progress(2, 4, "copy")
    assert stream.getvalue() == "", "a quick step prints no progress"
    monkeypatch.setattr(common, "PROGRESS_SECONDS", 0.01)
    time.sleep(0.02)
    sink.progress(3, 4, "copy")
    assert stream.getvalue() == "    copy: 75% (3 Bytes of 4 Bytes)\n"
    sink.progress(0, None, "copy")
    sink.progress(4, 4, "copy")  # a new measured step starts counting again
    assert stream.getvalue().count("\n") == 1


def test_the_running_title_keeps_the_seconds_and_cuts_the_step() -> None:
    title = running_title("migrate feat/x", "Applying 003_more.sql", 12, 80)
    assert title == "running migrate feat/x · Applying 003_more.sql · 12s"
    cut = running_title("migrate feat/x", "Applying 003_a_very_long_migration_name.sql", 7, 50)
    assert cell_len(cut) <= 50
    assert cut.startswith("running migrate feat/x · Applying")
    assert cut.endswith("… · 7s")
    assert running_title("migrate feat/x", "Applying 003.sql", 3, 30) == (
        "running migrate feat/x · 3s"
    )


def test_the_row_mark_says_what_runs() -> None:
    assert doing("migrate feat/x") == "⟳ migrating"
    assert doing("restore feat/x from big") == "⟳ restoring"
    assert doing("frobnicate") == "⟳ running"
