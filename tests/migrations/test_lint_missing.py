"""Without squawk (the `lint` extra is optional) wttui migrates as before: the first migrate plan
of a process says `not linted` in one short line, later ones say nothing more; `wttui doctor`
reports the linter as information (how to get it), never a failure — and, installed, its
version."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from tests import steps
from tests.cli.conftest import wttui
from tests.conftest import require_component
from tests.repo_factory import write_files
from wttui.core.housekeeping import CheckStatus
from wttui.doctor import diagnose
from wttui.migrations import lint
from wttui.plans_migrate import plan_migrate
from wttui.present_housekeeping import check_line
from wttui.present_plans import describe
from wttui.services import Services

NOTE = "lint       not linted: squawk is not installed (pip install 'wttui[lint]')"


@pytest.fixture
def no_squawk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine without squawk: none beside Python, none on PATH; a process that has not
    said so yet."""
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    path = os.environ.get("PATH", "").split(os.pathsep)
    monkeypatch.setenv(
        "PATH", os.pathsep.join(d for d in path if not (Path(d) / "squawk").exists())
    )
    monkeypatch.setattr(lint, "_SAID", set())
    assert lint.squawk_binary() is None


@pytest.mark.usefixtures("no_squawk")
def test_a_missing_linter_is_said_once_in_one_short_line(repo: Path) -> None:
    services = Services.from_path(repo)
    steps.create(services, "main")
    write_files(repo, {"migrations/003_more.sql": "CREATE INDEX users_email ON users (email);\n"})

    first = describe(plan_migrate(services, "main"))
    (note,) = [line for line in first if line.startswith("lint")]
    assert note == NOTE
    assert len(note) <= 80  # never wraps on an 80-column terminal
    again = describe(plan_migrate(services, "main"))
    assert "apply      003_more" in again  # still planned, and nothing stops it
    assert not any(line.startswith("lint") for line in again)


@pytest.mark.usefixtures("no_squawk")
def test_doctor_says_how_to_get_a_missing_linter_without_failing(repo: Path) -> None:
    report = diagnose(Services.from_path(repo))
    (check,) = [c for c in report.checks if c.name == "migration linter"]
    assert check.status is CheckStatus.INFO
    assert check_line(check) == (
        "· info  migration linter: squawk is not installed, migrations are not linted: "
        "pip install 'wttui[lint]'"
    )
    assert report.passed


def test_doctor_names_the_installed_linters_version(repo: Path) -> None:
    if lint.squawk_binary() is None:
        require_component("squawk", "install the dev extra (PyPI squawk-cli ships the binary)")
    done = wttui(repo, "doctor")
    assert re.search(r"^✓ ok +migration linter: squawk \d+\.\d+", done.stdout, re.MULTILINE), (
        done.stdout
    )
