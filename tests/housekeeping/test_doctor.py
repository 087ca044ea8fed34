"""Issue 10 item 4, bad input: doctor against a port another program holds says who holds it,
fails (exit 1), and changes nothing; `--json` carries every check with its fix."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from tests.cli.conftest import wttui
from tests.repo_factory import make_repo


def test_doctor_names_the_program_on_a_refusing_port(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        root = make_repo(tmp_path, f"postgresql://postgres:pw@127.0.0.1:{port}/postgres")
        done = wttui(root, "doctor", "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    server = next(c for c in report["checks"] if c["name"] == "server")
    assert server["status"] == "fail"
    assert f"port {port}" in server["detail"]
    assert f"(pid {os.getpid()}) listens there" in server["detail"]
    assert ":pw@" not in done.stdout  # the password is never shown
    assert server["fix"]


def test_doctor_passes_on_a_healthy_worktree(repo: Path) -> None:
    assert wttui(repo, "create", "feat/ok").returncode == 0
    done = wttui(repo, "doctor", "feat/ok")
    assert done.returncode == 0, done.stdout
    assert "✓ ok    env: [feat/ok] .env matches the plan" in done.stdout
    assert "pg_dump" in done.stdout
