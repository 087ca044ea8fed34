"""The headless CLI end to end: real subprocesses, exit codes, stdout data, stderr narration."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import on_terminal
from tests.repo_factory import git, make_repo
from wttui.core.urls import url_parts


def wttui(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wttui", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_create_status_json_migrate_remove(tmp_path: Path, pg_admin_url: str) -> None:
    root = make_repo(tmp_path, pg_admin_url)
    password = url_parts(pg_admin_url)["password"]

    created = wttui(root, "create", "feat/cli")
    assert created.returncode == 0, created.stderr
    path = Path(created.stdout.strip())
    assert path.is_dir()
    assert "==> Creating database" in created.stderr

    status = wttui(root, "status", "--json")
    assert status.returncode == 0, status.stderr
    rows = json.loads(status.stdout)
    assert [row["branch"] for row in rows] == ["main", "feat/cli"]
    main, feat = rows
    assert main["is_main"] is True
    assert main["database"]["exists"] is False
    assert feat["database"]["exists"] is True
    assert feat["database"]["size_bytes"] > 0
    assert feat["migrations"] == {
        "tool": "sql",
        "detected_by": "",
        "folder": str(Path(feat["path"]) / "migrations"),
        "applied": 2,
        "pending": 0,
        "applied_elsewhere": 0,
        "modified": 0,
        "failed": 0,
        "out_of_order": 0,
        "warnings": [],
    }
    assert feat["dirty"] is False
    assert password not in status.stdout
    assert ":***@" in feat["database"]["url"]

    (path / "migrations/003_x.sql").write_text("CREATE TABLE x (id int);\n")
    migrated = wttui(path, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "003_x.sql" in migrated.stderr

    dirty = wttui(root, "remove", "feat/cli")  # refused before anything is asked
    assert dirty.returncode == 4
    assert "uncommitted changes" in dirty.stderr
    assert "--yes" not in dirty.stderr
    assert path.exists()

    unconfirmed = wttui(root, "remove", "feat/cli", "--force")
    assert unconfirmed.returncode == 4
    assert "--yes" in unconfirmed.stderr
    assert path.exists()

    removed = wttui(root, "remove", "feat/cli", "--yes", "--force")
    assert removed.returncode == 0, removed.stderr
    assert not path.exists()


def test_bad_input_exits_non_zero_with_one_line(tmp_path: Path, pg_admin_url: str) -> None:
    root = make_repo(tmp_path, pg_admin_url)
    before = git(root, "worktree", "list")

    bad = wttui(root, "create", "has space")
    assert bad.returncode == 2
    assert bad.stderr.startswith("wttui: error: Invalid branch name 'has space'")
    assert "Traceback" not in bad.stderr
    assert git(root, "worktree", "list") == before

    (root / ".wttui.toml").write_text("[database]\nstrategy = 'nope'\n")
    config = wttui(root, "status")
    assert config.returncode == 2
    assert ".wttui.toml: database.strategy:" in config.stderr


def test_server_down_is_exit_3(tmp_path: Path) -> None:
    root = make_repo(tmp_path, "postgresql://postgres:hunter2@127.0.0.1:1/postgres")
    result = wttui(root, "create", "feat/x")
    assert result.returncode == 3
    assert "127.0.0.1:1" in result.stderr
    assert "hunter2" not in result.stderr
    status = wttui(root, "status", "--json")
    assert status.returncode == 3  # what could be read is printed, and the exit code says why
    assert json.loads(status.stdout)[0]["database"]["exists"] is None
    assert "127.0.0.1:1" in status.stderr
    assert "hunter2" not in status.stderr


def test_status_does_not_import_textual(tmp_path: Path, pg_admin_url: str) -> None:
    root = make_repo(tmp_path, pg_admin_url)
    code = (
        "import sys, contextlib, io\n"
        "from wttui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['status', '--json']) == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


FIRST_FRAME = """
import sys
from pathlib import Path

from wttui.ui.app import WttuiApp


def first_frame_drawn(app):
    # Called once the first frame is drawn, before anything else is loaded or read.
    print(sorted(sys.modules))
    app.exit()


WttuiApp._after_first_frame = first_frame_drawn
WttuiApp(start=Path(".")).run(headless=True, size=(100, 30))
"""

AFTER_FIRST_FRAME = (
    # database, Docker and SQL libraries; GitPython (wttui runs git itself)
    "psycopg", "docker", "pglast", "git",
    # the repository: config, providers, strategies, migration tools, the read model
    "wttui.services", "wttui.config", "wttui.config_model", "wttui.snapshot", "wttui.core.models",
    "wttui.providers.git", "wttui.providers.server", "wttui.strategies", "wttui.migrations",
    # what keys do: plans, actions, their words, the app's flows
    "wttui.plans", "wttui.actions", "wttui.present", "wttui.present_plans", "wttui.ui.flows",
    # what the first frame does not show: the lists (mounted right after it), dialogs
    "wttui.ui.widgets", "wttui.ui.screens",
)  # fmt: skip


def test_the_app_draws_its_first_frame_before_reading_the_repository(tmp_path: Path) -> None:
    """P1: the first frame needs Textual and the panes only; the repository is read, and the
    libraries that reading and actions need are imported, after it."""
    root = make_repo(tmp_path, "postgresql://postgres@127.0.0.1:1/postgres")
    result = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    loaded = eval(result.stdout.strip().splitlines()[-1])  # a printed list of names
    early = [m for m in loaded if m in AFTER_FIRST_FRAME or m.split(".")[0] in AFTER_FIRST_FRAME]
    early += [m for m in loaded if m.startswith(tuple(f"{name}." for name in AFTER_FIRST_FRAME))]
    assert sorted(set(early)) == []
    assert "wttui.ui.layout" in loaded  # it did draw the panes


def test_the_app_outside_a_repository_says_so_before_drawing_anything(tmp_path: Path) -> None:
    code, printed = on_terminal(tmp_path, timeout=30)
    assert code == 2
    # Only the line: the app's screen was never entered (no flash of it).
    assert printed.strip() == f"wttui: error: Not inside a git repository: {tmp_path}"


def test_the_app_on_a_config_that_is_not_toml_says_so_before_drawing_anything(
    tmp_path: Path,
) -> None:
    """A config file that does not parse is read before the first frame (parsing a small file
    is cheap): the one line and exit 2, the app's screen never entered (no flash of it)."""
    root = make_repo(tmp_path, "postgresql://postgres@127.0.0.1:1/postgres")
    (root / ".wttui.toml").write_text('[database\nstrategy = "schema"\n')
    code, printed = on_terminal(root, timeout=30)
    assert code == 2
    assert "\x1b[?1049h" not in printed  # the alternate screen was never entered
    status = wttui(root, "status")
    assert status.returncode == 2
    assert printed.strip() == status.stderr.strip()  # the CLI's line, and nothing else
    assert ".wttui.toml: not valid TOML" in printed


def test_the_app_on_a_bad_config_value_ends_with_its_one_line(tmp_path: Path) -> None:
    """A config that parses but holds a bad value is checked after the first frame (the full
    check would slow it, P1): it ends the app, the terminal is restored, and the line and exit
    code are the CLI's."""
    root = make_repo(tmp_path, "postgresql://postgres@127.0.0.1:1/postgres")
    (root / ".wttui.toml").write_text("[database]\nstrategy = 3\n")
    code, printed = on_terminal(root, timeout=30)
    assert code == 2
    after_app = printed.rsplit("\x1b[?1049l", 1)[-1]  # the screen the app left, restored
    assert "wttui: error: " in after_app
    assert "database.strategy" in after_app
    assert "Traceback" not in printed
    status = wttui(root, "status")
    assert status.stderr.strip().splitlines()[0] in after_app  # the same line as the CLI's


def test_embedded_server_status_start_stop_and_create(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"WTTUI_DATA_DIR": str(data)}
    root = make_repo(tmp_path, "")
    (root / ".wttui.toml").write_text('[project]\nname = "embedded"\n')

    status = wttui(root, "server", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "not initialised" in status.stdout
    try:
        created = wttui(root, "create", "feat/embedded", env=env)
        assert created.returncode == 0, created.stderr
        info = json.loads(wttui(root, "server", "status", "--json", env=env).stdout)
        assert info["running"] is True
        assert info["url"].startswith("postgresql://postgres:***@127.0.0.1:")
        files = Path(info["cluster_dir"])
        assert (files / "pgdata" / "PG_VERSION").is_file()  # where the server's files really are
        text = wttui(root, "server", "status", env=env).stdout
        # Inside the data directory it goes without saying; elsewhere (as root) it is said.
        assert (f"server files:    {files}" in text) is (data not in files.parents)
        row = json.loads(wttui(root, "status", "--json", env=env).stdout)[1]
        assert row["database"]["exists"] is True
        assert row["database"]["server"].startswith("embedded 127.0.0.1:")
    finally:
        stopped = wttui(root, "server", "stop", env=env)
    assert stopped.returncode == 0, stopped.stderr
    assert json.loads(wttui(root, "server", "status", "--json", env=env).stdout)["running"] is False


def test_a_closed_pipe_ends_quietly(tmp_path: Path, pg_admin_url: str) -> None:
    root = make_repo(tmp_path, pg_admin_url)
    for branch in ("feat/a", "feat/b"):
        assert wttui(root, "create", branch).returncode == 0
    done = subprocess.run(
        f"'{sys.executable}' -m wttui status --json | head -c 1",
        shell=True,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout == "["
    assert "Traceback" not in done.stderr
    assert "Broken pipe" not in done.stderr


LONG = "feature/PROJ-1234-add-stripe-webhook-retry-queue-and-dead-letters"


def test_the_status_table_fits_the_terminal_and_is_whole_when_piped(
    tmp_path: Path, pg_admin_url: str
) -> None:
    """On a terminal the table fits its width (a long branch name wrapped every row at 80
    columns): the long columns are cut with `…`, the counts never; piped, every value is
    whole, whatever COLUMNS says (grep and awk see what is there)."""
    root = make_repo(tmp_path, pg_admin_url)
    worktree = tmp_path / "long-branch-worktree-with-a-long-path"
    git(root, "worktree", "add", "-q", "-b", LONG, str(worktree))

    def table(output: str) -> list[str]:
        lines = output.splitlines()
        return lines[lines.index(next(x for x in lines if x.startswith("BRANCH"))) :][:3]

    for size, env, width in [((80, 24), None, 80), ((80, 24), {"COLUMNS": "100"}, 100)]:
        code, output = on_terminal(root, "status", size=size, env=env)
        assert code == 0, output
        rows = table(output)
        assert all(len(row) <= width for row in rows), rows
        long = next(row for row in rows if "PROJ-1234" in row)
        assert long.startswith("feature/PROJ-1234"), long
        assert "…" in long
        assert re.search(r"…\S* \(missing\)  ", long), long  # a name is cut, not its state
        assert re.search(r"  missing(  |$)", long), long  # nor the env column
        assert "(main worktree)" in output
    # At 80 columns even the path's last 12 columns do not fit: it is left out, not cut to "…".
    code, output = on_terminal(root, "status", size=(80, 24))
    assert table(output)[0].split() == ["BRANCH", "DATABASE", "MIGRATIONS", "ENV"]
    piped = wttui(root, "status", env={"COLUMNS": "60"})
    assert piped.returncode == 0, piped.stderr
    assert f"{LONG}  " in piped.stdout
    assert str(worktree) in piped.stdout
    assert "…" not in piped.stdout
