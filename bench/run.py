"""Benchmarks for DESIGN §8's targets, measured as a user meets them. Not part of the tests.

Run: `.venv/bin/python bench/run.py [--only P1,P2,P4,P5] [--idle 60]`.

P1  first frame: `wttui` and a bare one-widget Textual app, each a fresh process in a real
    pseudo-terminal (100×30), timed from outside until its first screen is drawn. ≤ 1.3×.
P2  `wttui status --json` (a fresh process) against the raw primitives run one after another
    (`git worktree list`, one `psql` per database), on 7 worktrees × 170 migrations and on
    50 × 100. ≤ 1×. Beside it, the floor any Python reader pays: a fresh interpreter importing
    psycopg and reading each tracking table, with no git, folders or wttui.
P4  the app left open in tmux on 50 worktrees × 100 migrations: CPU over 60 s (< 1 % of a
    core) and memory (< 150 MB RSS).
P5  keys answer within 50 ms while an action streams 10 000 lines into the Log pane.

Everything runs on a throwaway embedded cluster in a temporary directory; nothing of the
user's is touched. Figures go to stdout; README's performance section quotes one run.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.repo import build_repo  # noqa: E402
from bench.targets import p1_first_frame, p2_floor, p2_status, p4_idle, p5_keys  # noqa: E402


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="P1,P2,P4,P5", help="targets to measure")
    parser.add_argument("--repeat", type=int, default=5, help="runs per median")
    parser.add_argument("--idle", type=float, default=60.0, help="seconds P4 watches the app")
    parser.add_argument("--small", action="store_true", help="tiny repositories (a smoke test)")
    args = parser.parse_args()
    only = set(args.only.upper().split(","))
    shapes = [(2, 3), (3, 5)] if args.small else [(7, 170), (50, 100)]

    with tempfile.TemporaryDirectory(prefix="wttui-bench-") as tmp:
        base = Path(tmp)
        os.chmod(base, 0o755)
        os.environ["WTTUI_DATA_DIR"] = str(base / "data")
        from wttui.providers.local_cluster import LocalCluster

        cluster = LocalCluster(base / "data")
        admin_url = cluster.ensure_running()
        print(f"machine: {machine()}; embedded PostgreSQL {cluster.status().version}")
        try:
            repos = {}
            for worktrees, migrations in shapes:
                print(
                    f"setting up {worktrees} worktrees × {migrations} migrations …", file=sys.stderr
                )
                name = f"bench{worktrees}x{migrations}"
                repos[(worktrees, migrations)] = build_repo(
                    base, admin_url, worktrees, migrations, name
                )
            large = repos[shapes[-1]]
            if "P1" in only:
                ours, bare = p1_first_frame(large, args.repeat)
                print(
                    f"P1 first frame: wttui {ours * 1000:.0f} ms, "
                    f"bare Textual {bare * 1000:.0f} ms, ratio {ours / bare:.2f} (target ≤ 1.3)"
                )
            if "P2" in only:
                for (worktrees, migrations), root in repos.items():
                    status, raw = p2_status(root, args.repeat)
                    floor, bare = p2_floor(root, args.repeat)
                    print(
                        f"P2 status --json, {worktrees + 1} worktrees × {migrations} migrations: "
                        f"wttui {status * 1000:.0f} ms, raw primitives {raw * 1000:.0f} ms, "
                        f"ratio {status / raw:.2f} (target ≤ 1); floor: python + import "
                        f"psycopg + one read per database {floor * 1000:.0f} ms "
                        f"({floor / raw:.2f}), bare python {bare * 1000:.0f} ms"
                    )
            if "P4" in only:
                cpu, rss = p4_idle(large, args.idle)
                print(
                    f"P4 idle, app open {args.idle:.0f} s on {shapes[-1][0] + 1} worktrees: "
                    f"CPU {cpu:.2f} % of a core (target < 1 %), RSS {rss:.0f} MB (target < 150)"
                )
            if "P5" in only:
                typical, worst = p5_keys(large)
                print(
                    f"P5 keys while 10 000 lines stream: median {typical:.0f} ms, worst "
                    f"{worst:.0f} ms (target < 50 ms)"
                )
        finally:
            cluster.destroy()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
