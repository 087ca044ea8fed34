"""Render the app on the demo repository to SVG files in screenshots/ (run via scripts/screenshots).

The demo is built in a fixed temporary data directory on its own embedded cluster, so the
pictures show real worktrees, databases and migrations; the cluster is stopped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "screenshots"
DATA = Path("/tmp/wttui-screenshots")

Steps = Callable[[object], Awaitable[None]]


async def _nothing(pilot: object) -> None:
    del pilot


async def _open_create(pilot: object) -> None:
    await pilot.press("c")  # type: ignore[attr-defined]
    await pilot.pause(0.3)  # type: ignore[attr-defined]
    for key in "feat/search":
        await pilot.press(key)  # type: ignore[attr-defined]
    await pilot.pause(1.0)  # type: ignore[attr-defined]


async def _open_remove(pilot: object) -> None:
    await pilot.press("j")  # type: ignore[attr-defined]
    await pilot.press("d")  # type: ignore[attr-defined]
    await pilot.pause(1.0)  # type: ignore[attr-defined]


async def _open_help(pilot: object) -> None:
    await pilot.press("question_mark")  # type: ignore[attr-defined]
    await pilot.pause(0.3)  # type: ignore[attr-defined]


async def _migrations(pilot: object) -> None:
    for key in ("j", "j", "enter"):
        await pilot.press(key)  # type: ignore[attr-defined]
    await pilot.pause(0.5)  # type: ignore[attr-defined]


SHOTS: list[tuple[str, tuple[int, int], Steps]] = [
    ("main-100x30", (100, 30), _nothing),
    ("main-120x34", (120, 34), _nothing),
    ("main-80x24", (80, 24), _nothing),
    ("main-60x24", (60, 24), _nothing),
    ("migrations-100x30", (100, 30), _migrations),
    ("create-100x30", (100, 30), _open_create),
    ("remove-100x30", (100, 30), _open_remove),
    ("help-100x30", (100, 30), _open_help),
]


async def shoot(root: Path) -> None:
    from wttui.services import Services
    from wttui.ui.app import make_app

    for name, size, steps in SHOTS:
        app = make_app(Services.from_path(root))
        async with app.run_test(size=size) as pilot:
            await pilot.pause(0.2)
            await app.workers.wait_for_complete()
            await pilot.pause(0.3)
            await steps(pilot)
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
            app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
        print(f"wrote screenshots/{name}.svg")


def main() -> int:
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    os.chmod(DATA, 0o755)
    os.environ["WTTUI_DATA_DIR"] = str(DATA)
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    from wttui.core.logsink import NullSink
    from wttui.demo import build_demo
    from wttui.providers.local_cluster import LocalCluster

    cluster = LocalCluster(DATA)
    try:
        root = build_demo(NullSink())
        OUT.mkdir(exist_ok=True)
        asyncio.run(shoot(root))
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
