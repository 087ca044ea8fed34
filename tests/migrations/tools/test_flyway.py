"""Flyway (MIGRATION-TOOLS.md §6) against a real database: `flyway_schema_history` created with
Flyway's own DDL and filled the way Flyway fills it, read through a `Runner` as the Migrations
pane does (Flyway can't be installed here: its checksum rule is checked against Java's CRC32)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.migrations.tools.conftest import A, E, F, M, P, R, out_of_order, states, status, write
from tests.repo_factory import tables
from wttui.migrations.adapter import Connection
from wttui.migrations.runner import Runner
from wttui.migrations.tools.flyway import FlywayAdapter, flyway_checksum

FLYWAY_DDL = """
CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "public"."flyway_schema_history"
    ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
"""


def flyway_row(
    conn: Connection,
    rank: int,
    version: str | None,
    description: str,
    kind: str = "SQL",
    checksum: int | None = None,
    success: bool = True,
) -> None:
    script = f"V{version}__{description}.sql" if version else f"R__{description}.sql"
    conn.execute(
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
        "checksum, installed_by, execution_time, success) "
        "VALUES (%s, %s, %s, %s, %s, %s, 'postgres', 5, %s)",
        (rank, version, description, kind, script, checksum, success),
    )


def test_flyway_checksum_is_javas_crc32_over_lines() -> None:
    """Expected values computed independently with `java.util.zip.CRC32` fed each
    `BufferedReader.readLine()` line as UTF-8, BOM dropped from the first line — Flyway's
    `ChecksumCalculator` rule (the reference gives no worked example)."""
    assert flyway_checksum(b"CREATE TABLE users (id int);\n") == 336540139
    crlf = b"CREATE TABLE users (\r\n  id int\r\n);\r\n"
    bom_no_final_newline = b"\xef\xbb\xbfCREATE TABLE users (\n  id int\n);"
    assert flyway_checksum(crlf) == flyway_checksum(bom_no_final_newline) == 1043533331
    assert flyway_checksum("INSERT INTO t VALUES ('café');\n\n".encode()) == -36497513  # signed


USERS_SQL = "CREATE TABLE users (\n  id int\n);\n"
EMAIL_SQL = "ALTER TABLE users ADD email text;\n"


def test_flyway_states_from_schema_history(tmp_path: Path, url: str, conn: Connection) -> None:
    folder = write(
        tmp_path / "db" / "migration",
        {
            "V1__create_users.sql": USERS_SQL.replace("\n", "\r\n"),  # line endings don't count
            "V1_1__add_email.sql": EMAIL_SQL.replace("text", "varchar(80)"),  # edited
            "V1_2__add_index.sql": "CREATE INDEX ON users (email);\n",  # merged in late
            "V2__broken.sql": "CREATE INDEX CONCURRENTLY nope ON missing (x);\n",
            "V4__later.sql": "SELECT 1;\n",
            "nested/V5__deeper.sql": "SELECT 5;\n",
            "R__views.sql": "CREATE OR REPLACE VIEW v AS SELECT 1;\n",
            "notes.sql": "-- not a migration\n",
        },
    )
    conn.execute(FLYWAY_DDL)
    flyway_row(conn, 0, "0", "<< Flyway Schema Creation >>", "SCHEMA")
    flyway_row(conn, 1, "1", "create users", checksum=flyway_checksum(USERS_SQL.encode()))
    flyway_row(conn, 2, "1.1", "add email", checksum=flyway_checksum(EMAIL_SQL.encode()))
    flyway_row(conn, 3, None, "views", checksum=123)
    flyway_row(conn, 4, "2", "broken", checksum=1, success=False)
    flyway_row(conn, 5, "3", "other branch", checksum=7)

    found = status(FlywayAdapter(), folder, url)
    assert {v: s.state for v, s in found.items()} == {
        "1": A,
        "1.1": M,
        "1.2": P,
        "2": F,
        "3": E,
        "4": P,
        "5": P,
    }
    assert out_of_order(FlywayAdapter(), folder, url) == {"1.2"}  # below applied 3
    assert found["1.1"].name == "add email"
    assert found["3"].name == "other branch"
    assert found["2"].error is not None
    assert "flyway repair" in found["2"].error
    assert not found["1"].has_down


def test_flyway_baseline_undo_and_deleted_rows(tmp_path: Path, url: str, conn: Connection) -> None:
    folder = write(tmp_path / "m", {"V2__a.sql": "SELECT 2;\n", "U2__a.sql": "SELECT -2;\n"})
    conn.execute(FLYWAY_DDL)
    flyway_row(conn, 1, "1", "<< Flyway Baseline >>", "BASELINE")
    flyway_row(conn, 2, "2", "a", checksum=flyway_checksum(b"SELECT 2;\n"))
    flyway_row(conn, 3, "2", "a", "UNDO_SQL", checksum=5)
    flyway_row(conn, 4, "3", "gone", checksum=9)
    flyway_row(conn, 5, "3", "gone", "DELETE")  # `flyway repair` marked it deleted
    assert states(Runner(FlywayAdapter(), folder), url) == {"2": R}


def test_flyway_without_history_table_nothing_is_applied(tmp_path: Path, url: str) -> None:
    folder = write(tmp_path / "m", {"V1__a.sql": "SELECT 1;\n", "V10__b.sql": "SELECT 10;\n"})
    assert states(Runner(FlywayAdapter(), folder), url) == {"1": P, "10": P}
    assert [s.version for s in Runner(FlywayAdapter(), folder).status(url)] == ["1", "10"]
    assert tables(url) == set()


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ("flyway.conf", True),
        ("flyway.toml", True),
        ("conf/flyway.conf", True),
        ("db/migration/V1__init.sql", True),
        ("db/migration/R__views.sql", False),
        ("db/migration/001_init.sql", False),
    ],
)
def test_flyway_detect(tmp_path: Path, marker: str, expected: bool) -> None:
    write(tmp_path, {marker: ""})
    assert FlywayAdapter().detect(tmp_path) is expected
