"""The command line itself: each run builds only its subcommand's parser, which the user must
never notice — help, a mistyped command and options before the command read as before."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import wttui


def test_a_mistyped_command_is_one_usage_error_listing_every_command(tmp_path: Path) -> None:
    result = wttui(tmp_path, "stauts", "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "invalid choice: 'stauts'" in result.stderr
    for command in ("status", "create", "migrate", "server", "orphans", "demo"):
        assert f"'{command}'" in result.stderr
    assert result.stderr.splitlines()[-1] == "hint: did you mean `wttui status`?"
    assert "Traceback" not in result.stderr
    begun = wttui(tmp_path, "stat")  # the command it begins, not the closest spelling (start)
    assert begun.stderr.splitlines()[-1] == "hint: did you mean `wttui status`?"
    far = wttui(tmp_path, "frobnicate")
    assert far.returncode == 2
    assert "invalid choice: 'frobnicate'" in far.stderr
    assert "hint:" not in far.stderr  # nothing close: no guess


def test_help_lists_every_command_and_a_commands_help_its_own_options(tmp_path: Path) -> None:
    top = wttui(tmp_path, "--help")
    assert top.returncode == 0
    assert all(word in top.stdout for word in ("status", "create", "snapshot", "doctor", "demo"))
    status = wttui(tmp_path, "status", "--help")
    assert status.returncode == 0
    assert status.stdout.startswith("usage: wttui status")
    assert "--migrations" in status.stdout
    server = wttui(tmp_path, "server", "--help")
    assert server.returncode == 0
    assert "{status,start,stop}" in server.stdout


def test_an_option_before_the_command_still_names_the_repository(tmp_path: Path) -> None:
    outside = wttui(tmp_path, "-C", str(tmp_path), "status")
    assert outside.returncode == 2
    assert f"Not inside a git repository: {tmp_path}" in outside.stderr
    bad = wttui(tmp_path, "status", "--jsno")
    assert bad.returncode == 2
    assert "unrecognized arguments: --jsno" in bad.stderr


def test_an_unknown_option_is_reported_with_its_commands_usage(tmp_path: Path) -> None:
    """argparse reports a subcommand's unknown option from the top parser (`usage: wttui
    [-h] … COMMAND ...`); the user needs the usage of the command they typed."""
    for words, prog, options in [
        (("status", "--bogus"), "wttui status", "[-h] [--json] [--migrations]"),
        (("-C", str(tmp_path), "status", "--bogus"), "wttui status", "[-h] [--json]"),
        (("server", "stop", "--bogus"), "wttui server", "[-h] [--json]"),
    ]:
        result = wttui(tmp_path, *words)
        assert result.returncode == 2, words
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert lines[0].startswith(f"usage: {prog} {options}"), result.stderr
        errors = [line for line in lines if "error" in line]
        assert errors == [f"{prog}: error: unrecognized arguments: --bogus"], result.stderr
