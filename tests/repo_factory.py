"""Build real git repositories for tests: a main worktree with a `.wttui.toml` pointing at the
test server, migrations committed, and a unique project name so tests sharing one PostgreSQL
server never see each other's databases."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import psycopg

from wttui.providers.server import Server
from wttui.services import Services

BASE_MIGRATIONS = {
    "001_create_users.sql": (
        "-- migrate:up\nCREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);\n"
        "-- migrate:down\nDROP TABLE users;\n"
    ),
    "002_create_orders.sql": (
        "-- migrate:up\nCREATE TABLE orders (id serial PRIMARY KEY,\n"
        "  user_id int REFERENCES users(id));\n"
        "-- migrate:down\nDROP TABLE orders;\n"
    ),
}


def git(cwd: Path, *args: str) -> str:
    """Run git and return its stdout (raises on failure, with stderr in the message)."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def write_files(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def make_repo(
    base: Path,
    admin_url: str,
    *,
    migrations: dict[str, str] | None = None,
    extra_config: str = "",
    project: str | None = None,
) -> Path:
    """A repository at `base/<project>` with one commit; returns the main worktree's path."""
    project = project or f"t{uuid.uuid4().hex[:10]}"
    root = base / project
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    files = {
        ".wttui.toml": (
            f'[project]\nname = "{project}"\n\n[database]\nurl = "{admin_url}"\n{extra_config}'
        ),
        ".gitignore": ".env\n.env.wttui.bak\n",
        "README.md": "test repo\n",
    }
    files.update(
        {f"migrations/{name}": text for name, text in (migrations or BASE_MIGRATIONS).items()}
    )
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


def tables(url: str) -> set[str]:
    """The tables in the public schema of the database at `url`."""
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in rows.fetchall()}


Statement = str | tuple[str, tuple[object, ...]]
"""SQL text, or SQL and its parameters."""


def run_sql(url: str, *statements: Statement) -> None:
    """Run statements (SQL text, or SQL and its parameters) on the database at `url`."""
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            if isinstance(statement, str):
                conn.execute(statement)
            else:
                conn.execute(*statement)


def services_for(root: Path) -> Services:
    return Services.from_path(root)


def unreachable_services(root: Path) -> Services:
    """Services for `root` whose server URL points at a closed port."""
    services = Services.from_path(root)
    return Services(
        services.config, services.git, Server("postgresql://postgres:pw@127.0.0.1:1/postgres")
    )
