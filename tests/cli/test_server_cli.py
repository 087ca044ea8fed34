"""`wttui server` where it does not apply: a repository configured with its own server."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import wttui
from tests.repo_factory import make_repo


def test_a_configured_server_is_not_managed(tmp_path: Path, pg_admin_url: str) -> None:
    root = make_repo(tmp_path, pg_admin_url)
    data = tmp_path / "data"
    done = wttui(root, "server", "start", env={"WTTUI_DATA_DIR": str(data)})
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0].startswith(
        "wttui: error: This repository uses the configured server 127.0.0.1:"
    )
    assert lines[0].endswith("wttui does not manage it")
    assert lines[1] == "hint: remove [database] url from .wttui.toml to use the embedded server"
    assert len(lines) == 2
    assert not data.exists()  # nothing was initialised
