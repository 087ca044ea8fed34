"""`wttui demo`: a throwaway repository with three worktrees and SQL migrations.

It lives in the data directory (`<data>/demo/shop`) and runs on the embedded cluster.
`build_demo` builds it from scratch: the previous demo's worktrees and `wttui_demo_*` databases
are removed first, so building twice never trips over the first build. A marker file written
last tells a complete demo (which `wttui demo` reuses unless asked to rebuild) from one a killed
build left half-made. The screenshot script and the benchmark build it too.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from pathlib import Path

from wttui.core.logsink import CancelToken, LogSink
from wttui.errors import InvalidInput
from wttui.providers.server import Server, data_dir

PROJECT = "wttui_demo"
BRANCHES = ("main", "feat/user-auth", "feat/payments")
MARKER = ".wttui-demo-complete"
"""Written in the demo's base directory when the build finished; holds the main path."""
_GIT = ["git", "-c", "user.name=wttui demo", "-c", "user.email=demo@wttui.invalid"]

_FILES: dict[str, dict[str, str]] = {
    "main": {
        ".wttui.toml": f'[project]\nname = "{PROJECT}"\nworktrees_dir = "../shop-worktrees"\n',
        ".gitignore": ".env\n.env.wttui.bak\n",
        "README.md": "# shop\n\nA demo app for wttui.\n",
        "migrations/20251014220648_create_users.sql": (
            "-- migrate:up\nCREATE TABLE users (\n    id bigserial PRIMARY KEY,\n"
            "    email text NOT NULL UNIQUE,\n"
            "    created_at timestamptz NOT NULL DEFAULT now()\n);\n"
            "-- migrate:down\nDROP TABLE users;\n"
        ),
        "migrations/20251015093000_create_orders.sql": (
            "-- migrate:up\nCREATE TABLE orders (\n    id bigserial PRIMARY KEY,\n"
            "    user_id bigint NOT NULL REFERENCES users(id),\n"
            "    total_cents integer NOT NULL\n);\n"
            "-- migrate:down\nDROP TABLE orders;\n"
        ),
    },
    "feat/user-auth": {
        "migrations/20251016120000_add_user_mfa.sql": (
            "-- migrate:up\nALTER TABLE users ADD COLUMN mfa_secret text;\n"
            "-- migrate:down\nALTER TABLE users DROP COLUMN mfa_secret;\n"
        ),
        "migrations/20251016140000_create_sessions.sql": (
            "-- migrate:up\nCREATE TABLE sessions (\n    token text PRIMARY KEY,\n"
            "    user_id bigint NOT NULL REFERENCES users(id)\n);\n"
            "-- migrate:down\nDROP TABLE sessions;\n"
        ),
    },
    "feat/payments": {
        "migrations/20251017090000_create_payments.sql": (
            "-- migrate:up\nCREATE TABLE payments (\n    id bigserial PRIMARY KEY,\n"
            "    order_id bigint NOT NULL REFERENCES orders(id),\n    provider text NOT NULL\n);\n"
            "-- migrate:down\nDROP TABLE payments;\n"
        ),
    },
}
_PENDING_FILE = (
    "migrations/20251018100000_add_refunds.sql",
    "-- migrate:up\nALTER TABLE payments ADD COLUMN refunded_cents integer NOT NULL DEFAULT 0;\n"
    "-- migrate:down\nALTER TABLE payments DROP COLUMN refunded_cents;\n",
)


def _git(cwd: Path, *args: str) -> None:
    subprocess.run([*_GIT, *args], cwd=cwd, check=True, capture_output=True, text=True)


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def demo_base() -> Path:
    """Where `wttui demo` keeps its repository (in wttui's data directory)."""
    return data_dir() / "demo"


def existing_demo(base: Path | None = None) -> Path | None:
    """The main worktree of a complete earlier demo under `base`, or None."""
    marker = (base or demo_base()) / MARKER
    try:
        root = Path(marker.read_text().strip())
    except OSError:
        return None
    return root if (root / ".git").is_dir() else None


def built_at(base: Path | None = None) -> str:
    """When the demo under `base` was built (`2025-10-18 14:03`), '' when unknown."""
    try:
        stamp = ((base or demo_base()) / MARKER).stat().st_mtime
    except OSError:
        return ""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


def start_server(server: Server, sink: LogSink) -> None:
    """Start the embedded server, narrating its first initialisation (the slow part)."""
    if server.cluster is not None:
        server.cluster.ensure_running(notify=sink.step)


def _wipe(base: Path, server: Server, sink: LogSink) -> None:
    if base.exists():
        sink.step(f"Removing the previous demo in {base}")
        shutil.rmtree(base)
    provider = server.provider()
    for info in provider.list_databases():
        if info.name.startswith(PROJECT + "_"):
            provider.drop_database(info.name, force=True)


def build_demo(
    sink: LogSink, *, base: Path | None = None, server: Server | None = None, config: str = ""
) -> Path:
    """Build the demo repository and return its main worktree's path. `config` is appended to
    its `.wttui.toml` (e.g. another isolation strategy)."""
    from wttui import actions
    from wttui.plans_create import plan_create
    from wttui.services import Services

    base = base or demo_base()
    server = server or Server()
    start_server(server, sink)
    _wipe(base, server, sink)
    root = base / "shop"
    root.mkdir(parents=True)
    sink.step(f"Creating the demo repository in {root}")
    _git(root, "init", "-q", "-b", "main")
    _write(root, _FILES["main"])
    if config:
        (root / ".wttui.toml").write_text((root / ".wttui.toml").read_text() + config)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Create users and orders")
    for branch in ("feat/user-auth", "feat/payments"):
        _git(root, "switch", "-q", "-c", branch, "main")
        _write(root, _FILES[branch])
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"Migrations of {branch}")
    _git(root, "switch", "-q", "main")
    services = Services.from_path(root, server=server)
    cancel = CancelToken()
    paths = {}
    for branch in BRANCHES:
        plan = plan_create(services, branch)
        paths[branch] = actions.create(services, plan, sink=sink, cancel=cancel)
    payments = paths["feat/payments"]
    _write(payments, dict([_PENDING_FILE]))
    (base / MARKER).write_text(f"{root}\n")
    sink.step("Demo ready: feat/payments has a new migration waiting (press m to apply it)")
    return root


def reuse_demo(root: Path, sink: LogSink, *, server: Server | None = None) -> Path:
    """Open an earlier demo as it is. Start the server; if databases are gone (a destroyed
    cluster), provision the worktrees again through `create`, which finishes what is missing
    and refuses (skipped here) a worktree that still has its database."""
    from wttui import actions
    from wttui.plans_create import plan_create
    from wttui.services import Services

    sink.step(f"Opening the demo built earlier in {root} (`wttui demo --fresh` rebuilds it)")
    server = server or Server()
    start_server(server, sink)
    ours = [i for i in server.provider().list_databases() if i.name.startswith(PROJECT + "_")]
    if len(ours) >= len(BRANCHES):
        return root
    sink.step("Some of the demo's databases are gone: provisioning them again")
    services = Services.from_path(root, server=server)
    cancel = CancelToken()
    for branch in BRANCHES:
        with contextlib.suppress(InvalidInput):  # this one still has its database
            actions.create(services, plan_create(services, branch), sink=sink, cancel=cancel)
    return root
