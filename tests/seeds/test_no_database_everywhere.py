"""A worktree with no database (`create --no-db`, strategy `none`) on every path: sync says so
and provisions nothing (alone or with `--all`); every command that needs a database refuses in
one line — "X has no database (strategy none)", how to give it one, exit 2 — before asking
anything, and changes nothing; `exec` runs the command with no database env (the caller's own
libpq variables untouched); doctor and orphans find nothing wrong; and in the app the Database
and Migrations panes say there is no database, and the keys on its row refuse in one toast,
never a traceback or a question."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.app.conftest import loaded, wait_until
from tests.cli.conftest import on_terminal, wttui
from tests.repo_factory import git
from tests.state import fingerprint
from wttui.providers.postgres import PostgresProvider
from wttui.services import Services
from wttui.ui.app import make_app
from wttui.ui.panes.database import DatabasePane
from wttui.ui.panes.migrations import MigrationsPane

REFUSAL = "epic4 has no database (strategy none): nothing to"
HOW = "git config --unset branch.epic4.wttuiStrategy"


def databases(pg: PostgresProvider, project: str) -> set[str]:
    return {info.name for info in pg.list_databases() if info.name.startswith(project)}


@pytest.fixture
def none_repo(repo: Path) -> Path:
    """main (not provisioned), `own` with its database, `epic4` with none; seeds configured."""
    (repo / ".wttui.toml").write_text(
        (repo / ".wttui.toml").read_text() + '\n[seeds]\nfiles = ["seeds/base.sql"]\n'
    )
    (repo / "seeds").mkdir()
    (repo / "seeds/base.sql").write_text("INSERT INTO users (email) VALUES ('seed@x');\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "seeds")
    for args in (("epic4", "--no-db"), ("own",)):
        done = wttui(repo, "create", *args)
        assert done.returncode == 0, done.stderr
    return repo


def test_sync_says_no_database_and_provisions_nothing(
    none_repo: Path, pg: PostgresProvider, pg_admin_url: str
) -> None:
    project = none_repo.name
    before = fingerprint(none_repo, pg_admin_url, project)
    done = wttui(none_repo, "sync", "epic4")
    assert done.returncode == 0, done.stderr
    assert "epic4: no database (strategy none)" in done.stdout + done.stderr
    assert "Cannot connect" not in done.stderr
    assert fingerprint(none_repo, pg_admin_url, project) == before

    dry = wttui(none_repo, "sync", "--all", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "no db      epic4 (strategy none)" in dry.stdout
    assert "on no database" not in dry.stdout

    done = wttui(none_repo, "sync", "--all", "--json")
    assert done.returncode == 0, done.stderr
    synced = {item["branch"]: item["database"] for item in json.loads(done.stdout)}
    assert synced == {"main": "created", "epic4": "none", "own": "exists"}
    assert databases(pg, project) == {f"{project}_main", f"{project}_own"}


@pytest.mark.parametrize(
    "args",
    [
        ("seed", "epic4"),
        ("test", "epic4", "--", "true"),
        ("clone", "epic4", "own"),
        ("clone", "own", "epic4"),
        ("create", "epic5", "--from", "epic4"),
        ("snapshot", "epic4"),
        ("restore", "epic4"),
        ("rebuild", "epic4", "--to", "001"),
        ("resolve", "epic4", "001", "--applied"),
        ("psql", "epic4"),
        ("inspect", "epic4"),
        ("inspect", "epic4", "--migrations"),
        ("start", "epic4"),
        ("stop", "epic4"),
        ("restart", "epic4"),
        ("logs", "epic4"),
    ],  # migrate, rollback and reset: tests/seeds/test_no_database.py
    ids=lambda args: " ".join(args[:2]) if args[0] != "clone" else "clone " + "→".join(args[1:]),
)
def test_every_command_needing_a_database_refuses_in_one_line(
    none_repo: Path, pg_admin_url: str, args: tuple[str, ...]
) -> None:
    before = fingerprint(none_repo, pg_admin_url, none_repo.name)
    code, output = on_terminal(none_repo, *args)  # fails if it asks anything
    assert code == 2, output
    assert REFUSAL in output
    assert HOW in output  # how to give it one
    assert "wttui sync epic4" in output
    assert "Traceback" not in output
    assert fingerprint(none_repo, pg_admin_url, none_repo.name) == before


def test_a_new_worktree_with_no_database_cannot_start_from_another(
    none_repo: Path, pg_admin_url: str
) -> None:
    before = fingerprint(none_repo, pg_admin_url, none_repo.name)
    code, output = on_terminal(none_repo, "create", "epic6", "--no-db", "--from", "own")
    assert code == 2, output
    assert "epic6 has no database (strategy none): nothing to copy into" in output
    assert fingerprint(none_repo, pg_admin_url, none_repo.name) == before


def test_exec_runs_with_no_database_env_and_leaves_the_callers_own(none_repo: Path) -> None:
    script = 'echo "${PGHOST-}|${PGDATABASE-}|${PGPORT-}|${DATABASE_URL-unset}"'
    done = wttui(
        none_repo,
        "exec",
        "epic4",
        "--",
        "sh",
        "-c",
        script,
        env={"PGHOST": "db.example.invalid", "PGDATABASE": "mine", "PGPORT": "6543"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "db.example.invalid|mine|6543|unset"
    assert "(no database)" in done.stderr + done.stdout


def test_doctor_and_orphans_say_nothing_is_wrong(none_repo: Path) -> None:
    done = wttui(none_repo, "doctor", "epic4")
    assert done.returncode == 0, done.stdout
    assert "✓ ok    database: [epic4] no database (strategy none)" in done.stdout
    assert "migration tool: [epic4]" not in done.stdout  # nothing of it is ever migrated

    done = wttui(none_repo, "orphans", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["orphans"] == []


async def test_the_app_says_no_database_and_its_keys_refuse_in_one_toast(
    none_repo: Path, pg_admin_url: str
) -> None:
    before = fingerprint(none_repo, pg_admin_url, none_repo.name)
    app = make_app(Services.from_path(none_repo))
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        labels = [v.worktree.label for v in app.snapshot.views]  # type: ignore[union-attr]
        for _ in range(labels.index("epic4")):
            await pilot.press("j")
        await wait_until(
            pilot, lambda: app.selected is not None and app.selected.worktree.label == "epic4"
        )
        # The panes say it plainly: no database, and no migrations ever run there (an empty
        # table alone would read as "this branch has no migrations").
        await pilot.pause()
        database = app.query_one(DatabasePane).text
        assert "database  no database" in database
        assert "status    none, on purpose" in database
        notes = app.query_one(MigrationsPane).query_one("#migration-notes", Static)
        assert notes.display
        assert "No database (strategy none): migrations never run here" in str(notes.render())
        base = app.screen

        def refusals() -> list[str]:
            return [n.message for n in app._notifications if REFUSAL in n.message]

        seen: Callable[[], int] = lambda: len(refusals())  # noqa: E731
        for key in ("m", "b", "s", "L", "C", "S", "i", "p", "Y"):
            count = seen()
            await pilot.press(key)
            await wait_until(pilot, lambda: seen() > count, what=f"the refusal of {key!r}")  # noqa: B023
            assert app.screen is base, f"{key!r} asked a question"
            assert not any("Unexpected error" in n.message for n in app._notifications)
        await wait_until(pilot, lambda: not app.jobs.busy, what="no job left running")
    assert fingerprint(none_repo, pg_admin_url, none_repo.name) == before
