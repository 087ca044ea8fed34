"""The fault tests' scene: bad input through the real installed `wttui` command, in a
subprocess.

Each test takes a `Scene` (a real repository on the real test server), records everything a
user could lose — every file around the repository (`.env` bytes and modes included), git's
worktrees, branches and refs, and the project's databases with their tables — runs the
command, and checks the answer: one `wttui: error:` line (and maybe a `hint:`), the documented
exit code, no traceback, no password, and nothing changed.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from tests.conftest import require_component
from tests.repo_factory import git
from wttui.core.urls import url_parts, with_database
from wttui.providers.postgres import PostgresProvider


def installed_wttui() -> str:
    """The `wttui` console script of the environment running the tests."""
    beside = Path(sys.executable).parent / "wttui"
    found = str(beside) if beside.exists() else shutil.which("wttui")
    if not found:
        require_component("the installed wttui command", "pip install -e . first")
    return found


@dataclass
class Scene:
    """A repository (`root`) under `base`, on the test server at `admin_url`."""

    base: Path
    root: Path
    admin_url: str

    @property
    def project(self) -> str:
        return self.root.name

    @property
    def password(self) -> str:
        return url_parts(self.admin_url)["password"]

    def wttui(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [installed_wttui(), *args],
            cwd=cwd or self.root,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "WTTUI_DATA_DIR": str(self.base / "wttui-data")},
            timeout=180,
        )

    def config(self, text: str) -> None:
        """Append `text` to the repository's `.wttui.toml`."""
        path = self.root / ".wttui.toml"
        path.write_text(path.read_text() + text)

    def databases(self) -> dict[str, list[str]]:
        """The project's databases and the tables in each."""
        result = {}
        provider = PostgresProvider(self.admin_url)
        for info in provider.list_databases():
            if info.name == self.project or info.name.startswith(self.project + "_"):
                with psycopg.connect(with_database(self.admin_url, info.name)) as conn:
                    rows = conn.execute(
                        "SELECT schemaname || '.' || tablename FROM pg_tables "
                        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
                    ).fetchall()
                result[info.name] = [row[0] for row in rows]
        return result

    def state(self) -> dict[str, Any]:
        """Everything a failed command must leave as it was."""
        files: dict[str, object] = {}
        for path in sorted(self.base.rglob("*")):
            rel = path.relative_to(self.base)
            if ".git" in rel.parts or rel.parts[0] == "wttui-data":
                continue  # git's own files change on reads (index stat data); checked below
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                files[str(rel)] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                files[str(rel)] = ("dir", stat.S_IMODE(info.st_mode))
            else:
                files[str(rel)] = (path.read_bytes(), stat.S_IMODE(info.st_mode))
        return {
            "files": files,
            "worktrees": git(self.root, "worktree", "list", "--porcelain"),
            "refs": git(self.root, "for-each-ref", "--format=%(refname) %(objectname)"),
            "databases": self.databases(),
        }


def assert_one_error(
    done: subprocess.CompletedProcess[str], code: int, *, says: str = "", secret: str = ""
) -> str:
    """`done` failed with exit `code` and one `wttui: error:` line (plus an optional `hint:`
    line), no traceback and no `secret`; returns the error line."""
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    assert done.returncode == code, output
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("wttui: error: ")]
    assert len(errors) == 1, output
    others = [line for line in lines if line not in errors]
    assert all(line.startswith("hint: ") for line in others), output
    assert len(others) <= 1, output
    assert says in errors[0], errors[0]
    if secret:
        assert secret not in output
    return errors[0]
