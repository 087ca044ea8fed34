"""Render the app on the demo repository to SVG files in screenshots/ (run via scripts/screenshots).

The demo is built in a temporary data directory on its own embedded cluster, so the pictures
show real worktrees, databases and migrations; the cluster is destroyed afterwards. The directory
is `$WTTUI_DATA_DIR` when set (it must be empty or absent: it is wiped, as is the default
/tmp/wttui-screenshots), so several checkouts can make screenshots at once.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "screenshots"
DATA = Path(os.environ.get("WTTUI_DATA_DIR") or "/tmp/wttui-screenshots")
"""A throwaway data directory (`WTTUI_DATA_DIR` names another: two runs at once stay apart)."""

Steps = Callable[["Pilot[None]"], Awaitable[None]]


async def _nothing(pilot: Pilot[None]) -> None:
    del pilot


async def _open_create(pilot: Pilot[None]) -> None:
    await pilot.press("c")
    await pilot.pause(0.3)
    for key in "feat/search":
        await pilot.press(key)
    await pilot.pause(1.0)


async def _open_remove(pilot: Pilot[None]) -> None:
    await pilot.press("j")
    await pilot.press("d")
    await pilot.pause(1.0)


async def _open_help(pilot: Pilot[None]) -> None:
    await pilot.press("question_mark")
    await pilot.pause(0.3)


async def _migrations(pilot: Pilot[None]) -> None:
    for key in ("j", "j", "enter"):
        await pilot.press(key)
    await pilot.pause(0.5)


async def _select_second(pilot: Pilot[None]) -> None:
    await pilot.press("j")
    await pilot.pause(0.5)


async def _drift(pilot: Pilot[None]) -> None:
    from wttui.ui.panes.migrations import MigrationsPane

    await pilot.press("j", "D")
    pane = pilot.app.query_one(MigrationsPane)
    deadline = time.monotonic() + 30
    while not pane.drift_shown and time.monotonic() < deadline:
        await pilot.pause(0.1)


async def _until(pilot: Pilot[None], selector: str, text: str = "") -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = pilot.app.screen.query(selector)
        if found and text in str(found.first().render()):
            return
        await pilot.pause(0.1)


async def _orphans(pilot: Pilot[None]) -> None:
    from wttui.ui.app import WttuiApp

    assert isinstance(pilot.app, WttuiApp)
    services = pilot.app.services
    provider = services.server.provider()
    if not provider.database_exists(f"{services.project}_feat_old_search"):
        provider.create_database(f"{services.project}_feat_old_search")  # a removed branch's
    await pilot.press("X")
    await _until(pilot, "#report-body", "feat_old_search")
    await pilot.press("c")
    await _until(pilot, ".dialog-body", "drop database")


async def _doctor(pilot: Pilot[None]) -> None:
    await pilot.press("H")
    await _until(pilot, "#report-body", "server")


async def _inspect(pilot: Pilot[None]) -> None:
    await pilot.press("j", "i")
    await _until(pilot, "#inspect-tables")
    await pilot.press("enter")
    await _until(pilot, "#detail", "indexes")


async def _snapshots(pilot: Pilot[None]) -> None:
    """`S` on feat/user-auth, then `V`: its snapshots."""
    await pilot.press("j", "S")
    await settle(pilot)
    await pilot.press("V")
    await pilot.pause(1.0)


async def _clone_picker(pilot: Pilot[None]) -> None:
    await pilot.press("j", "C")
    await pilot.pause(0.5)


async def _trash(pilot: Pilot[None]) -> None:
    """Remove feat/user-auth (typing its database's name), then `T`: the trash."""
    await pilot.press("j", "j", "d")
    await pilot.pause(1.5)
    await pilot.press(*"wttui_demo_feat_user_auth", "enter")
    await settle(pilot)
    await pilot.press("T")
    await pilot.pause(1.0)


SHOTS: list[tuple[str, tuple[int, int], Steps]] = [
    ("main-100x30", (100, 30), _nothing),
    ("main-120x34", (120, 34), _nothing),
    ("main-80x24", (80, 24), _nothing),
    ("main-60x24", (60, 24), _nothing),
    ("main-50x15", (50, 15), _nothing),
    ("migrations-100x30", (100, 30), _migrations),
    ("create-100x30", (100, 30), _open_create),
    ("remove-100x30", (100, 30), _open_remove),
    ("help-100x30", (100, 30), _open_help),
    ("drift-100x30", (100, 30), _drift),
    ("orphans-100x30", (100, 30), _orphans),
    ("doctor-100x30", (100, 30), _doctor),
    ("doctor-60x24", (60, 24), _doctor),
    ("inspect-80x24", (80, 24), _inspect),
    ("snapshots-100x30", (100, 30), _snapshots),
    ("clone-100x30", (100, 30), _clone_picker),
    ("trash-100x30", (100, 30), _trash),  # last: it removes a worktree
]


async def settle(pilot: Pilot[None], timeout: float = 30.0) -> None:
    """Wait for the first snapshot and any running action (the file watcher never ends)."""
    from wttui.ui.app import WttuiApp

    app = pilot.app
    assert isinstance(app, WttuiApp)
    deadline = time.monotonic() + timeout
    while app.snapshot is None or app.jobs.busy:
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not settle")
        await pilot.pause(0.05)
    await pilot.pause(0.3)


CONTAINER_SHOTS: list[tuple[str, tuple[int, int], Steps]] = [
    ("containers-100x30", (100, 30), _select_second),
]
IMAGE = os.environ.get("WTTUI_TEST_IMAGE", "wttui-test-postgres:15")


async def shoot(root: Path, shots: list[tuple[str, tuple[int, int], Steps]]) -> None:
    from wttui.services import Services
    from wttui.ui.app import make_app

    for name, size, steps in shots:
        app = make_app(Services.from_path(root))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await steps(pilot)
            await settle(pilot)
            app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
        print(f"wrote screenshots/{name}.svg")


def main() -> int:
    if DATA.is_dir() and any(DATA.iterdir()) and not (DATA / "demo").is_dir():
        print(f"{DATA} holds other files: give WTTUI_DATA_DIR an empty directory")
        return 2
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    os.chmod(DATA, 0o755)
    os.environ["WTTUI_DATA_DIR"] = str(DATA)
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    os.environ["WTTUI_NO_BACKGROUND"] = "1"  # pictures of a fixed state
    from wttui.core.logsink import NullSink
    from wttui.demo import build_demo
    from wttui.providers.local_cluster import LocalCluster

    cluster = LocalCluster(DATA)
    try:
        root = build_demo(NullSink())
        OUT.mkdir(exist_ok=True)
        asyncio.run(shoot(root, SHOTS))
        shoot_containers(build_demo, NullSink)
    finally:
        cluster.destroy()  # its data directory is wiped on the next run: so is the cluster
    return 0


def shoot_containers(build_demo: Callable[..., Path], sink: Callable[[], object]) -> None:
    """The demo on the container strategy: needs a Docker engine and the PostgreSQL image
    (scripts/docker-engine, scripts/build-pg-image); skipped with a note when absent."""
    from wttui.errors import WttuiError
    from wttui.providers.docker_engine import LABEL_PROJECT, DockerProvider

    docker = DockerProvider()
    try:
        if not docker.image_exists(IMAGE):
            print(f"skipped containers-*.svg: image {IMAGE} missing (scripts/build-pg-image)")
            return
    except WttuiError as exc:
        print(f"skipped containers-*.svg: {exc.message}")
        return
    config = f'[database]\nstrategy = "container"\n[container]\nimage = "{IMAGE}"\n'
    try:
        root = build_demo(sink(), base=DATA / "containers", config=config)
        asyncio.run(shoot(root, CONTAINER_SHOTS))
    finally:
        found = docker.client.containers.list(
            all=True, filters={"label": f"{LABEL_PROJECT}=wttui_demo"}
        )
        for container in found:
            container.remove(force=True, v=True)
        for volume in docker.client.volumes.list():
            if volume.name.startswith("wttui_demo_"):
                volume.remove(force=True)


if __name__ == "__main__":
    raise SystemExit(main())
