"""Repositories shaped for the benchmarks, on a throwaway embedded cluster.

`build_repo` makes a main worktree with M SQL migrations and N linked worktrees, each with its
own database holding all M applied (cloned from one migrated template, so setting up 50 is
quick), and an `.env` like wttui writes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@wttui.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def build_repo(base: Path, admin_url: str, worktrees: int, migrations: int, name: str) -> Path:
    """`base/name`: a repository with `migrations` SQL files and `worktrees` linked worktrees,
    each with its own migrated database; returns the main worktree's path."""
    from wttui.core.logsink import CancelToken, NullSink
    from wttui.providers.envfile import write_env
    from wttui.services import Services

    root = base / name
    (root / "migrations").mkdir(parents=True)
    (root / ".wttui.toml").write_text(
        f'[project]\nname = "{name}"\n[database]\nurl = "{admin_url}"\n'
    )
    (root / ".gitignore").write_text(".env\n")
    for i in range(1, migrations + 1):
        (root / "migrations" / f"{i:04d}_table_{i}.sql").write_text(
            f"-- migrate:up\nCREATE TABLE t{i} (id int PRIMARY KEY, note text);\n"
            f"CREATE INDEX t{i}_note ON t{i} (note);\n"
            f"-- migrate:down\nDROP TABLE t{i};\n"
        )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "bench")
    services = Services.from_path(root)
    provider = services.server.provider()
    template = f"{name}_template"
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
        path = base / f"{name}-wt" / f"bench-{i:03d}"
        git(root, "worktree", "add", "-q", "-b", branch, str(path))
        target = services.strategy_for(branch).plan(branch)
        provider.drop_database(target.name, force=True)
        provider.create_database(target.name, template=template)
        write_env(path / ".env", services.env_values(target, branch))
    return root


def database_urls(root: Path) -> list[str]:
    """The URL of every worktree's database (as their `.env` files say)."""
    from wttui.providers.envfile import read_env
    from wttui.services import Services

    services = Services.from_path(root)
    urls = []
    for worktree in services.git.list_worktrees():
        url = read_env(services.env_path(worktree.path)).get("DATABASE_URL")
        if url:
            urls.append(url)
    return urls
