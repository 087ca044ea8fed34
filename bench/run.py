"""Benchmarks for DESIGN §8's targets. Run: `.venv/bin/python bench/run.py [--worktrees 50]`.

P1  first frame of `wttui` against a bare Textual app: each runs in a fresh interpreter (imports
    included, as a user waits for them) and exits as soon as its first screen is up. The ratio
    of the medians is printed; the target is ≤ 1.3.
P2  a full refresh (`Services.snapshot()`: worktrees, databases, env files, migration states) of
    N worktrees, each with its own database holding M applied migrations, against the raw
    primitives run one after another (`git worktree list`, one catalog query, one state-table
    query per database). The target is ≤ 2, and under 1 with the parallel workers.

The set-up uses a throwaway embedded cluster in a temporary data directory; nothing of the
user's is touched. Figures go to stdout; paste them into README's performance section.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE_APP = """
import time
from textual.app import App
from textual.widgets import Static

class Bare(App[None]):
    def compose(self):
        yield Static("hello")

async def leave(pilot):
    print(time.monotonic())
    pilot.app.exit()

Bare().run(headless=True, auto_pilot=leave)
"""

WTTUI_APP = """
import sys
import time
from pathlib import Path
from wttui.services import Services
from wttui.ui.app import make_app

async def leave(pilot):
    print(time.monotonic())
    pilot.app.exit()

make_app(Services.from_path(Path(sys.argv[1]))).run(headless=True, auto_pilot=leave)
"""


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` runs of `fn`, in seconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def first_frame(code: str, *args: str) -> float:
    """Seconds from spawning a fresh interpreter to its app's first frame (the child prints
    the monotonic clock, shared by all processes on Linux, when its auto-pilot first runs)."""
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
    )
    return float(done.stdout.strip().splitlines()[-1]) - start


def median_of(fn: Callable[[], float], repeat: int) -> float:
    return statistics.median(fn() for _ in range(repeat))


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@wttui.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def build_repo(base: Path, admin_url: str, worktrees: int, migrations: int) -> Path:
    """A repository with `migrations` SQL files and `worktrees` linked worktrees, each with its
    own migrated database (cloned from one migrated template, as F26 will do)."""
    from wttui.core.logsink import CancelToken, NullSink
    from wttui.providers.envfile import write_env
    from wttui.services import Services

    root = base / "benchrepo"
    (root / "migrations").mkdir(parents=True)
    (root / ".wttui.toml").write_text(
        f'[project]\nname = "bench"\n[database]\nurl = "{admin_url}"\n'
    )
    (root / ".gitignore").write_text(".env\n")
    for i in range(1, migrations + 1):
        (root / "migrations" / f"{i:04d}_table_{i}.sql").write_text(
            f"-- migrate:up\nCREATE TABLE t{i} (id int PRIMARY KEY, note text);\n"
            f"-- migrate:down\nDROP TABLE t{i};\n"
        )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "bench")
    services = Services.from_path(root)
    provider = services.server.provider()
    template = "bench_template"
    provider.drop_database(template, force=True)
    provider.create_database(template)
    main = services.context(services.git.list_worktrees()[0])
    main.tool.apply(
        provider.url_for(template),
        context=main.apply_context(),
        sink=NullSink(),
        cancel=CancelToken(),
    )
    for i in range(worktrees):
        branch = f"feat/bench-{i:03d}"
        path = base / "wt" / f"bench-{i:03d}"
        git(root, "worktree", "add", "-q", "-b", branch, str(path))
        target = services.strategy_for(branch).plan(branch)
        provider.drop_database(target.name, force=True)
        provider.create_database(target.name, template=template)
        write_env(path / ".env", services.env_values(target, branch))
    return root


def raw_primitives(root: Path, admin_url: str) -> None:
    """What a refresh has to ask at least, asked one after another."""
    import psycopg

    from wttui.core.urls import with_database

    git(root, "worktree", "list", "--porcelain")
    with psycopg.connect(admin_url) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT datname, pg_database_size(datname) FROM pg_database "
                "WHERE NOT datistemplate AND datname LIKE 'bench\\_%'"
            )
        ]
    for name in names:
        with psycopg.connect(with_database(admin_url, name)) as conn:
            conn.execute("SELECT * FROM wttui_schema_migrations").fetchall()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worktrees", type=int, default=50)
    parser.add_argument("--migrations", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="wttui-bench-") as tmp:
        base = Path(tmp)
        os.chmod(base, 0o755)
        os.environ["WTTUI_DATA_DIR"] = str(base / "data")
        from wttui.providers.local_cluster import LocalCluster
        from wttui.services import Services
        from wttui.snapshot import read_snapshot

        cluster = LocalCluster(base / "data")
        admin_url = cluster.ensure_running()
        try:
            print(
                f"setting up {args.worktrees} worktrees × {args.migrations} migrations …",
                file=sys.stderr,
            )
            root = build_repo(base, admin_url, args.worktrees, args.migrations)

            bare = median_of(lambda: first_frame(BARE_APP), args.repeat)
            ours = median_of(lambda: first_frame(WTTUI_APP, str(root)), args.repeat)
            print(
                f"P1 first frame: wttui {ours * 1000:.0f} ms, bare Textual {bare * 1000:.0f} ms,"
                f" ratio {ours / bare:.2f} (target ≤ 1.3)"
            )

            services = Services.from_path(root)
            read_snapshot(services)  # warm: the first call starts nothing, but fills OS caches
            refresh = timed(lambda: read_snapshot(services), args.repeat)
            raw = timed(lambda: raw_primitives(root, admin_url), args.repeat)
            views = read_snapshot(services).views
            applied = sum(view.counts.applied for view in views)
            print(
                f"P2 full refresh of {len(views)} worktrees ({applied} applied migrations): "
                f"wttui {refresh * 1000:.0f} ms, raw primitives serially {raw * 1000:.0f} ms, "
                f"ratio {refresh / raw:.2f} (target ≤ 2, parallel < 1)"
            )
        finally:
            cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
