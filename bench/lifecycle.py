"""Benchmarks of the database lifecycle (DESIGN §8 P3, F27).
Run: `.venv/bin/python bench/lifecycle.py [--migrations 100] [--repeat 3] [--methods]`.

P3  create a worktree whose database is cloned from the template cache, against
    a) the raw primitives a person would run: `git worktree add` + `createdb -T <template>`
       (target: ≤ 1.2×), and
    b) the same create replaying every migration (`[database] template_cache = false`; target:
       the cached create ≥ 10× faster). The migrations are realistic: a table, an index and a
       few rows each.
F27 (`--methods`) the clone methods on this machine: `CREATE DATABASE … STRATEGY WAL_LOG` and
    `FILE_COPY` (and PostgreSQL 18's `file_copy_method = clone` when `--bin-dir` names 18's
    binaries) for databases of several sizes, and `pg_dump | pg_restore`. The rule in
    `wttui/lifecycle/clone.py` comes from these figures (README, "Database lifecycle").

Everything runs on a throwaway embedded cluster in a temporary data directory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def migrations(count: int) -> dict[str, str]:
    return {
        f"migrations/{n:04d}_table_{n}.sql": (
            f"-- migrate:up\nCREATE TABLE t{n} (id serial PRIMARY KEY, label text NOT NULL, "
            f"amount numeric(10, 2), created timestamptz DEFAULT now());\n"
            f"CREATE INDEX t{n}_label ON t{n} (label);\n"
            f"INSERT INTO t{n} (label, amount) SELECT 'row ' || g, g * 1.5 "
            f"FROM generate_series(1, 50) g;\n-- migrate:down\nDROP TABLE t{n};\n"
        )
        for n in range(1, count + 1)
    }


def build_repo(base: Path, admin_url: str, count: int, extra: str = "") -> Path:
    root = base / "shop"
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    files = {
        ".wttui.toml": f'[project]\nname = "shop"\n[database]\nurl = "{admin_url}"\n{extra}',
        ".gitignore": ".env\n",
        **migrations(count),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", "-A")
    git(root, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "-m", "init")
    return root


def create_seconds(root: Path, branch: str) -> tuple[float, str]:
    from wttui import actions, plans_create
    from wttui.core.logsink import CancelToken, ListSink
    from wttui.services import Services

    services = Services.from_path(root)
    sink = ListSink()
    started = time.perf_counter()
    plan = plans_create.plan_create(services, branch)
    actions.create(services, plan, sink=sink, cancel=CancelToken())
    return time.perf_counter() - started, sink.text


def primitives_seconds(root: Path, admin_url: str, branch: str, template: str) -> float:
    createdb = shutil.which("createdb") or "/usr/lib/postgresql/15/bin/createdb"
    from wttui.core.urls import url_parts

    parts = url_parts(admin_url)
    env = {**os.environ, "PGPASSWORD": parts["password"]}
    started = time.perf_counter()
    git(root, "worktree", "add", "-q", "-b", branch, str(root.parent / f"raw-{branch}"))
    subprocess.run(
        [
            createdb,
            "-h",
            parts["host"],
            "-p",
            parts["port"],
            "-U",
            parts["user"],
            "-T",
            template,
            f"raw_{branch}",
        ],
        check=True,
        env=env,
    )
    return time.perf_counter() - started


def p3(admin_url: str, base: Path, count: int, repeat: int, tool: str) -> None:
    from wttui.actions.templates import build
    from wttui.core.logsink import CancelToken, ListSink
    from wttui.services import Services

    tool_config = "" if tool == "sql" else f'[migrations]\ntool = "{tool}"\ndir = "migrations"\n'
    root = build_repo(base / "cached", admin_url, count, tool_config)
    template = build(Services.from_path(root), sink=ListSink(), cancel=CancelToken())
    assert template is not None
    cached, raw = [], []
    for n in range(repeat):
        seconds, text = create_seconds(root, f"feat/c{n}")
        assert "Cloning template" in text, text
        cached.append(seconds)
        raw.append(primitives_seconds(root, admin_url, f"r{n}", template))
    replay_root = build_repo(
        base / "replay", admin_url, count, "template_cache = false\n" + tool_config
    )
    replay = []
    for n in range(repeat):
        seconds, text = create_seconds(replay_root, f"feat/p{n}")
        assert "Cloning" not in text
        replay.append(seconds)
    c, r, p = (statistics.median(x) for x in (cached, raw, replay))
    print(
        f"P3 create with template clone: {c:.3f} s; git worktree add + createdb -T: {r:.3f} s; "
        f"ratio {c / r:.2f} (target ≤ 1.2)"
    )
    print(
        f"P3 create replaying {count} migrations with {tool}: {p:.3f} s; cached create is "
        f"{p / c:.1f}× faster (target ≥ 10×)"
    )


def methods(admin_url: str, repeat: int, sizes: list[int]) -> None:
    import psycopg
    from psycopg import sql

    from wttui.core.logsink import CancelToken, NullSink
    from wttui.lifecycle.clone import DUMP, Method, copy_database
    from wttui.providers.pg_copies import DatabaseCopies
    from wttui.providers.postgres import PostgresProvider

    copies = DatabaseCopies(PostgresProvider(admin_url))
    version = copies.version_num()
    options = [Method("wal_log", "WAL_LOG"), Method("file_copy", "FILE_COPY")]
    if copies.clone_supported():
        options.append(Method("clone", "FILE_COPY", clone=True))
    options.append(DUMP)
    print(f"F27 clone methods on PostgreSQL {version // 10000}, median of {repeat}:")
    for mib in sizes:
        source = f"bench_src_{mib}"
        copies.drop(source, force=True)
        copies.provider.create_database(source)
        with psycopg.connect(copies.provider.url_for(source), autocommit=True) as conn:
            conn.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
            conn.execute(
                "INSERT INTO t SELECT g, repeat(md5(g::text), 30) FROM generate_series(1, %s) g",
                (mib * 950,),
            )
            for i in range(20):
                conn.execute(
                    sql.SQL("CREATE TABLE {} (id serial PRIMARY KEY, a text)").format(
                        sql.Identifier(f"s{i}")
                    )
                )
        info = copies.provider.get_database(source)
        real = (info.size_bytes or 0) >> 20 if info else mib
        cells = []
        for method in options:
            times = []
            for _ in range(repeat):
                copies.drop("bench_dst", force=True)
                with psycopg.connect(admin_url, autocommit=True) as conn:
                    conn.execute("CHECKPOINT")
                times.append(
                    copy_database(
                        copies, source, "bench_dst", method, sink=NullSink(), cancel=CancelToken()
                    )
                )
            copies.drop("bench_dst", force=True)
            cells.append(f"{method.key} {statistics.median(times):.3f} s")
        copies.drop(source, force=True)
        print(f"  {real:>5} MiB: " + ", ".join(cells))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--migrations", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tool", default="sql", help="migration tool: sql (built in), dbmate")
    parser.add_argument("--methods", action="store_true", help="also time the clone methods")
    parser.add_argument("--sizes", default="8,32,128,512", help="MiB, for --methods")
    parser.add_argument("--bin-dir", help="server binaries (e.g. PostgreSQL 18's) for --methods")
    args = parser.parse_args()
    os.environ["WTTUI_NO_BACKGROUND"] = "1"
    if args.bin_dir:  # its pg_dump/pg_restore too (wttui refuses older ones than the server)
        os.environ["PATH"] = f"{args.bin_dir}{os.pathsep}{os.environ['PATH']}"
    with tempfile.TemporaryDirectory(prefix="wttui-bench-") as tmp:
        base = Path(tmp)
        os.chmod(base, 0o755)
        os.environ["WTTUI_DATA_DIR"] = str(base / "data")
        from wttui.providers.local_cluster import LocalCluster

        cluster = LocalCluster(base / "data", bin_dir=Path(args.bin_dir) if args.bin_dir else None)
        try:
            admin_url = cluster.ensure_running()
            if not args.bin_dir:
                p3(admin_url, base, args.migrations, args.repeat, args.tool)
            if args.methods or args.bin_dir:
                methods(admin_url, args.repeat, [int(s) for s in args.sizes.split(",")])
        finally:
            cluster.destroy()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
