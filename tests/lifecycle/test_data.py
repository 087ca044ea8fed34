"""Seeds, test databases, create --from / clone and the emergency rebuild, on the real server
through the real CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psycopg

from tests import steps
from tests.cli.conftest import on_terminal, wttui
from tests.lifecycle.conftest import MakeRepo, db_url, rows
from tests.repo_factory import run_sql, write_files
from tests.state import fingerprint
from wttui.core.logsink import ListSink

SEEDS = '[seeds]\nfiles = ["seeds/base.sql", "seeds/{worktree}.sql"]\n'


def _exists(admin_url: str, name: str) -> bool:
    return bool(rows(admin_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))


def test_seeds_base_and_per_worktree_on_create(lc_repo: MakeRepo, pg_admin_url: str) -> None:
    services = lc_repo(
        SEEDS,
        files={
            "seeds/base.sql": "INSERT INTO users (email) VALUES ('base@x');\n",
            "seeds/feat__pay.sql": "INSERT INTO users (email) VALUES ('pay@x');\n",
        },
    )
    pay = steps.create(services, "feat/pay")
    other = steps.create(services, "feat/other")
    assert pay.target is not None
    assert other.target is not None
    emails = "SELECT email FROM users ORDER BY id"
    assert rows(db_url(pg_admin_url, pay.target.name), emails) == [("base@x",), ("pay@x",)]
    assert rows(db_url(pg_admin_url, other.target.name), emails) == [("base@x",)]
    again = wttui(services.root, "seed", "feat/pay")
    assert again.returncode == 0, again.stderr
    assert len(rows(db_url(pg_admin_url, pay.target.name), emails)) == 4


def test_a_failing_seed_rolls_back_names_the_line_and_create_resumes(
    lc_repo: MakeRepo, pg_admin_url: str
) -> None:
    services = lc_repo(
        SEEDS,
        files={
            "seeds/base.sql": "INSERT INTO users (email) VALUES ('base@x');\n",
            "seeds/feat__bad.sql": (
                "INSERT INTO users (email) VALUES ('first@x');\n"
                "\n"
                "INSERT INTO users (emial) VALUES ('typo@x');\n"
            ),
        },
    )
    done = wttui(services.root, "create", "feat/bad")
    assert done.returncode == 1
    assert "seeds/feat__bad.sql:3" in done.stderr
    assert 'column "emial"' in done.stderr
    name = f"{services.project}_feat__bad"
    emails = "SELECT email FROM users ORDER BY id"
    assert rows(db_url(pg_admin_url, name), emails) == [("base@x",)]  # the bad file rolled back

    worktree = services.resolve("feat/bad").path
    write_files(worktree, {"seeds/feat__bad.sql": "INSERT INTO users (email) VALUES ('ok@x');\n"})
    resumed = wttui(services.root, "create", "feat/bad")
    assert resumed.returncode == 0, resumed.stderr
    assert "ran before this create stopped (skipped)" in resumed.stderr
    assert rows(db_url(pg_admin_url, name), emails) == [("base@x",), ("ok@x",)]


def test_seeding_a_shared_database_needs_its_name(lc_repo: MakeRepo, pg_admin_url: str) -> None:
    services = lc_repo(
        'strategy = "shared"\n' + SEEDS,
        files={"seeds/base.sql": "INSERT INTO users (email) VALUES ('base@x');\n"},
    )
    steps.create(services, "epic3")
    name = services.project
    before = rows(db_url(pg_admin_url, name), "SELECT count(*) FROM users")
    code, output = on_terminal(services.root, "seed", "epic3", answer="wrong")
    assert code == 4, output
    assert f"Type {name} to confirm" in output
    assert rows(db_url(pg_admin_url, name), "SELECT count(*) FROM users") == before
    code, output = on_terminal(services.root, "seed", "epic3", answer=name)
    assert code == 0, output


def test_wttui_test_drops_its_database_on_success_and_failure(
    lc_repo: MakeRepo, pg_admin_url: str
) -> None:
    services = lc_repo()
    view = steps.create(services, "feat/a")
    assert view.target is not None
    test_db = view.target.name + "_test"
    ok = wttui(
        services.root,
        "test",
        "feat/a",
        "--",
        sys.executable,
        "-c",
        "import os, psycopg; c = psycopg.connect(os.environ['DATABASE_URL']); "
        "print(c.execute('select current_database(), count(*) from orders').fetchone())",
    )
    assert ok.returncode == 0, ok.stderr
    assert f"('{test_db}', 0)" in ok.stdout
    assert not _exists(pg_admin_url, test_db)

    failed = wttui(services.root, "test", "feat/a", "--", sys.executable, "-c", "exit(7)")
    assert failed.returncode == 7
    assert not _exists(pg_admin_url, test_db)

    kept = wttui(services.root, "test", "feat/a", "--keep", "--", "true")
    assert kept.returncode == 0
    assert _exists(pg_admin_url, test_db)
    assert wttui(services.root, "test", "feat/a", "--", "true").returncode == 0  # re-made
    assert not _exists(pg_admin_url, test_db)


def test_wttui_test_drops_its_database_on_ctrl_c(lc_repo: MakeRepo, pg_admin_url: str) -> None:
    services = lc_repo()
    view = steps.create(services, "feat/a")
    assert view.target is not None
    test_db = view.target.name + "_test"
    process = subprocess.Popen(
        [sys.executable, "-m", "wttui", "test", "feat/a", "--", "sleep", "60"],
        cwd=services.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not _exists(pg_admin_url, test_db) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # migrated, the command running
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert not _exists(pg_admin_url, test_db)


def test_create_from_another_worktree_copies_its_data(lc_repo: MakeRepo, pg_admin_url: str) -> None:
    services = lc_repo()
    source = steps.create(services, "feat/src")
    assert source.target is not None
    run_sql(db_url(pg_admin_url, source.target.name), "INSERT INTO users (email) VALUES ('s@x')")
    done = wttui(services.root, "create", "feat/copy", "--from", "feat/src")
    assert done.returncode == 0, done.stderr
    copy = f"{services.project}_feat__copy"
    assert rows(db_url(pg_admin_url, copy), "SELECT email FROM users") == [("s@x",)]

    # With a session open on the source, PostgreSQL cannot copy it as a template: a dump can.
    with psycopg.connect(db_url(pg_admin_url, source.target.name)):
        other = wttui(services.root, "create", "feat/copy2", "--from", "feat/src")
    assert other.returncode == 0, other.stderr
    assert "pg_dump | pg_restore (1 session(s) open" in other.stderr
    copy2 = f"{services.project}_feat__copy2"
    assert rows(db_url(pg_admin_url, copy2), "SELECT email FROM users") == [("s@x",)]


def test_clone_replaces_the_destination_and_keeps_the_old_in_the_trash(
    lc_repo: MakeRepo, pg_admin_url: str
) -> None:
    services = lc_repo()
    src = steps.create(services, "feat/src")
    dst = steps.create(services, "feat/dst")
    assert src.target is not None
    assert dst.target is not None
    run_sql(db_url(pg_admin_url, src.target.name), "INSERT INTO users (email) VALUES ('src@x')")
    run_sql(db_url(pg_admin_url, dst.target.name), "INSERT INTO users (email) VALUES ('dst@x')")
    code, output = on_terminal(
        services.root, "clone", "feat/src", "feat/dst", answer=dst.target.name
    )
    assert code == 0, output
    assert rows(db_url(pg_admin_url, dst.target.name), "SELECT email FROM users") == [("src@x",)]
    trash = json.loads(wttui(services.root, "trash", "--json").stdout)
    assert [(t["original"], t["reason"]) for t in trash] == [(dst.target.name, "clone")]


def test_from_a_worktree_of_another_strategy_is_refused(
    lc_repo: MakeRepo, pg_admin_url: str
) -> None:
    services = lc_repo('[worktrees."feat/schema"]\nstrategy = "schema"\n')
    steps.create(services, "feat/schema")
    before = fingerprint(services.root, pg_admin_url, services.project)
    done = wttui(services.root, "create", "feat/x", "--from", "feat/schema")
    assert done.returncode == 2
    assert "uses the schema strategy and feat/x the database strategy" in done.stderr
    assert fingerprint(services.root, pg_admin_url, services.project) == before


def test_rebuild_keeps_the_rows_of_surviving_tables(lc_repo: MakeRepo, pg_admin_url: str) -> None:
    services = lc_repo(
        migrations={
            "001_users.sql": "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);\n",
            "002_orders.sql": (
                "CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES users(id));\n"
            ),
            "003_flag.sql": "ALTER TABLE orders ADD COLUMN flag bool;\n",
            "004_notes.sql": "CREATE TABLE notes (id serial PRIMARY KEY, body text);\n",
        }
    )
    view = steps.create(services, "feat/a")
    assert view.target is not None
    url = db_url(pg_admin_url, view.target.name)
    run_sql(
        url,
        "INSERT INTO users (email) VALUES ('a@x'), ('b@x')",
        "INSERT INTO orders (user_id, flag) VALUES (1, true)",
        "INSERT INTO notes (body) VALUES ('n')",
    )
    before = fingerprint(services.root, pg_admin_url, services.project)
    bad = wttui(services.root, "rebuild", "feat/a", "--to", "999_nothing", "--yes")
    assert bad.returncode == 2
    assert "is not a migration in feat/a's folder" in bad.stderr
    assert fingerprint(services.root, pg_admin_url, services.project) == before

    code, output = on_terminal(
        services.root, "rebuild", "feat/a", "--to", "002", answer=view.target.name
    )
    assert code == 0, output
    assert rows(url, "SELECT email FROM users ORDER BY id") == [("a@x",), ("b@x",)]
    assert rows(url, "SELECT to_regclass('notes')") == [(None,)]
    assert rows(url, "SELECT count(*) FROM orders") == [(0,)]  # its columns differ: skipped
    assert "Skipped public.orders: columns differ (old only: flag boolean" in output
    assert "Skipped public.notes: not in the rebuilt database" in output
    assert "Rolled back to: 002_orders" in output
    assert "Impact: migrations after 002_orders removed (003_flag, 004_notes)" in output
    statuses = rows(url, "SELECT version FROM wttui_schema_migrations ORDER BY 1")
    assert statuses == [("001",), ("002",)]
    run_sql(url, "INSERT INTO users (email) VALUES ('c@x')")  # the sequence went on
    assert rows(url, "SELECT max(id) FROM users") == [(3,)]
    trash = json.loads(wttui(services.root, "trash", "--json").stdout)
    assert [t["reason"] for t in trash] == ["rebuild"]


def test_rebuild_of_a_shared_database_needs_its_typed_name(
    lc_repo: MakeRepo, pg_admin_url: str
) -> None:
    services = lc_repo('strategy = "shared"\n')
    steps.create(services, "epic3")
    before = fingerprint(services.root, pg_admin_url, services.project)
    code, output = on_terminal(services.root, "rebuild", "epic3", "--to", "001", answer="y")
    assert code == 4, output
    assert f"Rebuild SHARED database {services.project}" in output
    assert fingerprint(services.root, pg_admin_url, services.project) == before


def test_seed_and_test_plans_need_config_and_a_command(lc_repo: MakeRepo) -> None:
    services = lc_repo()
    steps.create(services, "feat/a", sink=ListSink())
    no_seeds = wttui(services.root, "seed", "feat/a")
    assert no_seeds.returncode == 2
    assert "No seeds configured" in no_seeds.stderr
    no_command = wttui(services.root, "test", "feat/a")
    assert no_command.returncode == 2
    assert "No command to run" in no_command.stderr
