"""Alembic (MIGRATION-TOOLS.md §2) against a real database: `alembic_version` created with the
tool's own DDL and filled the way alembic fills it (heads only, resolved by the adapter's
`complete` against the revision graph it reads with `ast`), read through a `Runner`; and the real
alembic (PyPI `alembic`, `sqlalchemy`) upgrading and downgrading through a `Runner`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.conftest import require_component
from tests.migrations.tools.conftest import (
    A,
    E,
    M,
    P,
    by_version,
    context_for,
    remember,
    require_python_tool,
    states,
    venv_bin_on_path,
    write,
)
from tests.repo_factory import run_sql, tables
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState
from wttui.errors import MigrationFileError
from wttui.migrations.merge import merge
from wttui.migrations.runner import Runner
from wttui.migrations.tools.alembic import AlembicAdapter, script_location, versions_dir

ALEMBIC_DDL = (
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
)


def revision_script(
    revision: str, down: str | tuple[str, ...] | None, table: str = "", annotated: bool = True
) -> str:
    """A script as alembic's `generic` template writes it (annotated assignments)."""
    up = f'op.execute("CREATE TABLE {table} (id int)")' if table else "pass"
    down_sql = f'op.execute("DROP TABLE {table}")' if table else "pass"
    if annotated:
        head = (
            f"revision: str = {revision!r}\n"
            f"down_revision: Union[str, Sequence[str], None] = {down!r}\n"
            "branch_labels: Union[str, Sequence[str], None] = None\n"
            "depends_on: Union[str, Sequence[str], None] = None\n"
        )
    else:
        head = f"revision = {revision!r}\ndown_revision = {down!r}\n"
    return (
        f'"""{table or "merge"}\n\nRevision ID: {revision}\n"""\n'
        "from typing import Sequence, Union\n\nfrom alembic import op\n\n"
        f"{head}\n\ndef upgrade() -> None:\n    {up}\n\n\ndef downgrade() -> None:\n"
        f"    {down_sql}\n"
    )


def alembic_row(revision: str) -> tuple[str, tuple[object, ...]]:
    return ("INSERT INTO alembic_version (version_num) VALUES (%s)", (revision,))


def alembic_heads(*revisions: str) -> list[str | tuple[str, tuple[object, ...]]]:
    return ["DELETE FROM alembic_version", *(alembic_row(r) for r in revisions)]


def test_alembic_detect(tmp_path: Path) -> None:
    adapter = AlembicAdapter()
    ini = write(tmp_path / "ini", {"alembic.ini": "[alembic]\nscript_location = alembic\n"})
    assert adapter.detect(ini)
    toml = write(
        tmp_path / "toml", {"pyproject.toml": '[tool.alembic]\nscript_location = "migrations"\n'}
    )
    assert adapter.detect(toml)
    other = write(tmp_path / "other", {"pyproject.toml": "[tool.ruff]\nline-length = 100\n"})
    assert not adapter.detect(other)
    broken = write(tmp_path / "broken", {"pyproject.toml": "[tool.alembic\n"})
    assert not adapter.detect(broken)
    assert not adapter.detect(tmp_path / "empty")


def test_alembic_script_location_from_its_config(tmp_path: Path) -> None:
    ini = write(tmp_path / "ini", {"alembic.ini": "[alembic]\nscript_location = migrations\n"})
    assert versions_dir(ini) == "migrations/versions"
    here = write(
        tmp_path / "here", {"alembic.ini": "[alembic]\nscript_location = %(here)s/db/alembic\n"}
    )
    assert script_location(here) == "db/alembic"
    toml = write(
        tmp_path / "toml", {"pyproject.toml": '[tool.alembic]\nscript_location = "%(here)s/mig"\n'}
    )
    assert script_location(toml) == "mig"
    package = write(tmp_path / "pkg", {"alembic.ini": "[alembic]\nscript_location = app:mig\n"})
    assert script_location(package) == "alembic"  # a package resource: the default
    assert script_location(tmp_path / "none") == "alembic"
    assert AlembicAdapter().default_dir == "alembic/versions"


def test_alembic_local_reads_the_graph_without_running_scripts(tmp_path: Path) -> None:
    versions = write(
        tmp_path / "alembic" / "versions",
        {
            # file names sort against the graph: the id and the order come from the contents
            "0001_zz_merge.py": revision_script("f00d", ("bee1", "cafe")),
            "0002_second.py": revision_script("bee1", "1234", annotated=False),
            "0003_other_branch.py": revision_script("cafe", "1234"),
            "9999_first.py": revision_script("1234", None),
            "__init__.py": "",
            "notes.txt": "revision = 'nope'",
            "0004_boom.py": 'raise SystemExit("wttui must never run a revision script")\n'
            + revision_script("dead", "f00d"),
        },
    )
    found = AlembicAdapter().local(versions)
    assert [(m.version, m.name) for m in found] == [
        ("1234", "first"),
        ("bee1", "second"),
        ("cafe", "other_branch"),
        ("f00d", "zz_merge"),
        ("dead", "boom"),
    ]
    assert all(m.checksum is None for m in found)
    # The script location works as the folder too (Flask-Migrate's `migrations/`).
    write(tmp_path / "alembic", {"env.py": "raise SystemExit"})
    assert [m.version for m in AlembicAdapter().local(tmp_path / "alembic")] == [
        m.version for m in found
    ]
    assert AlembicAdapter().local(tmp_path / "missing") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("revision = make_id()\ndown_revision = None\n", "no literal `revision"),
        ("down_revision = None\n", "no literal `revision"),
        ("revision = 'a'\ndown_revision = PARENT\n", "`down_revision` is not a literal"),
        ("revision = 'a'\ndef broken(:\n", "not valid Python"),
    ],
)
def test_alembic_unreadable_scripts_are_errors(tmp_path: Path, text: str, message: str) -> None:
    versions = write(tmp_path / "versions", {"x_bad.py": text})
    with pytest.raises(MigrationFileError, match=message):
        AlembicAdapter().local(versions)


def test_alembic_two_scripts_with_one_revision(tmp_path: Path) -> None:
    versions = write(
        tmp_path / "versions",
        {"a.py": revision_script("1234", None), "b.py": revision_script("1234", None)},
    )
    with pytest.raises(MigrationFileError, match="both declare revision 1234"):
        AlembicAdapter().local(versions)


def alembic_merged(folder: Path, url: str) -> dict[str, MigrationState]:
    adapter = AlembicAdapter()
    local = adapter.local(folder)
    with psycopg.connect(url, autocommit=True) as conn:
        rows = adapter.applied(conn)
    return {
        s.version: s.state
        for s in merge(local, adapter.complete(local, rows or []), {}, has_down=True)
    }


def test_alembic_heads_resolve_to_every_ancestor(tmp_path: Path, url: str) -> None:
    adapter = AlembicAdapter()
    folder = write(
        tmp_path / "alembic" / "versions",
        {
            "a_users.py": revision_script("a0a0", None),
            "b_orders.py": revision_script("b1b1", "a0a0"),
            "c_items.py": revision_script("c2c2", "b1b1"),
        },
    )
    with psycopg.connect(url, autocommit=True) as conn:
        assert adapter.applied(conn) is None  # no table: nothing applied
    assert alembic_merged(folder, url) == {"a0a0": P, "b1b1": P, "c2c2": P}
    assert tables(url) == set()  # reading created nothing

    run_sql(url, ALEMBIC_DDL)
    assert alembic_merged(folder, url) == {"a0a0": P, "b1b1": P, "c2c2": P}  # empty: base
    run_sql(url, *alembic_heads("b1b1"))
    with psycopg.connect(url, autocommit=True) as conn:
        assert [r.version for r in adapter.applied(conn) or []] == ["b1b1"]  # the head only
    assert alembic_merged(folder, url) == {"a0a0": A, "b1b1": A, "c2c2": P}

    # A head this worktree has no script for: a revision from another branch.
    run_sql(url, *alembic_heads("e1e1"))
    assert alembic_merged(folder, url) == {"a0a0": P, "b1b1": P, "c2c2": P, "e1e1": E}


def test_alembic_two_heads_and_their_merge(tmp_path: Path, url: str) -> None:
    folder = write(
        tmp_path / "versions",
        {
            "base.py": revision_script("a0a0", None),
            "left.py": revision_script("b1b1", "a0a0"),
            "right.py": revision_script("c1c1", "a0a0"),
        },
    )
    run_sql(url, ALEMBIC_DDL, *alembic_heads("b1b1"))  # one branch's head
    assert alembic_merged(folder, url) == {"a0a0": A, "b1b1": A, "c1c1": P}
    run_sql(url, *alembic_heads("b1b1", "c1c1"))  # two heads stamped: one row each
    assert alembic_merged(folder, url) == {"a0a0": A, "b1b1": A, "c1c1": A}

    write(folder, {"merge.py": revision_script("d2d2", ("b1b1", "c1c1"))})  # `merge heads`
    assert alembic_merged(folder, url) == {"a0a0": A, "b1b1": A, "c1c1": A, "d2d2": P}
    run_sql(url, *alembic_heads("d2d2"))  # upgraded through the merge: one head again
    assert alembic_merged(folder, url) == {"a0a0": A, "b1b1": A, "c1c1": A, "d2d2": A}


def test_alembic_states_through_the_wired_runner(tmp_path: Path, url: str) -> None:
    folder = write(
        tmp_path / "versions",
        {"a.py": revision_script("a0a0", None), "b.py": revision_script("b1b1", "a0a0")},
    )
    runner = Runner(AlembicAdapter(), folder)
    assert states(runner, url) == {"a0a0": P, "b1b1": P}
    run_sql(url, ALEMBIC_DDL, *alembic_heads("b1b1"))
    statuses = by_version(runner.status(url))
    assert {v: s.state for v, s in statuses.items()} == {"a0a0": A, "b1b1": A}
    assert all(s.has_down for s in statuses.values())

    # Alembic keeps no checksum: wttui records both files at its next apply.
    remember(runner, url)
    (folder / "a.py").write_text(revision_script("a0a0", None, table="renamed"))
    assert states(runner, url) == {"a0a0": M, "b1b1": A}


def test_alembic_runner_counts_ancestors_of_the_stored_head(tmp_path: Path, url: str) -> None:
    folder = write(
        tmp_path / "versions",
        {"a.py": revision_script("a0a0", None), "b.py": revision_script("b1b1", "a0a0")},
    )
    run_sql(url, ALEMBIC_DDL, *alembic_heads("b1b1"))
    assert states(Runner(AlembicAdapter(), folder), url) == {"a0a0": A, "b1b1": A}


def test_alembic_runner_keeps_graph_order_and_no_false_out_of_order(
    tmp_path: Path, url: str
) -> None:
    folder = write(
        tmp_path / "versions",
        {"a.py": revision_script("f00d", None), "b.py": revision_script("1234", "f00d")},
    )
    run_sql(url, ALEMBIC_DDL, *alembic_heads("f00d"))
    statuses = Runner(AlembicAdapter(), folder).status(url)
    assert [(s.version, s.state) for s in statuses] == [("f00d", A), ("1234", P)]
    assert not any(s.out_of_order for s in statuses)  # `1234` is the child, not older


ALEMBIC_ENV = '''\
"""The project's env.py: SQLAlchemy needs `postgresql+psycopg://` for psycopg 3."""
import os
import re

from alembic import context
from sqlalchemy import create_engine, pool

url = os.environ["DATABASE_URL"]
url = re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
'''


def alembic_current(root: Path, url: str) -> set[str]:
    """`alembic current`: one `<rev> (head)` line per stored head."""
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "current"],
        cwd=root,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    return {m[1] for m in re.finditer(r"^(\w+)(?: \(head\))?$", done.stdout, re.MULTILINE)}


def test_real_alembic_apply_and_rollback_agree_with_alembic_current(
    tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_python_tool("alembic", "alembic")
    require_python_tool("sqlalchemy", "sqlalchemy")
    if shutil.which("alembic", path=str(Path(sys.executable).parent)) is None:
        require_component("alembic", "its console script is not beside this interpreter")
    venv_bin_on_path(monkeypatch)
    root = write(
        tmp_path / "wt",
        {
            "alembic.ini": "[alembic]\nscript_location = %(here)s/alembic\n",
            "alembic/env.py": ALEMBIC_ENV,
            "alembic/versions/1a2b_users.py": revision_script("1a2b", None, table="users"),
            "alembic/versions/ffee_orders.py": revision_script("ffee", "1a2b", table="orders"),
        },
    )
    adapter = AlembicAdapter()
    assert adapter.detect(root)
    folder = root / versions_dir(root)
    runner = Runner(adapter, folder)
    context = context_for(root, url)

    sink = ListSink()
    assert runner.apply(url, context=context, sink=sink, cancel=CancelToken()) == 2
    statuses = runner.status(url)
    assert {s.version: s.state for s in statuses} == {"1a2b": A, "ffee": A}
    assert {s.applied_by for s in statuses} == {"feat/x"}
    assert alembic_current(root, url) == {"ffee"}
    assert {"users", "orders", "alembic_version"} <= tables(url)

    assert runner.rollback(url, steps=1, context=context, sink=sink, cancel=CancelToken()) == 1
    assert states(runner, url) == {"1a2b": A, "ffee": P}
    assert alembic_current(root, url) == {"1a2b"}
    assert "orders" not in tables(url)

    # The plain runner (unwired) already rolls back the stored head correctly.
    plain = Runner(adapter, folder)
    assert plain.rollback(url, steps=1, context=context, sink=sink, cancel=CancelToken()) == 1
    assert alembic_current(root, url) == set()
    assert states(runner, url) == {"1a2b": P, "ffee": P}
