"""How far a long database step is, measured on the real server while it runs (issue 11,
item 3): a template copy, a `pg_dump` and a `pg_restore` report `done` of a known `total` to
their sink, growing, and take the bar away (`total` None) when they end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.repo_factory import run_sql
from wttui.core.logsink import CancelToken, ListSink
from wttui.lifecycle.dumps import server_major
from wttui.providers import pg_progress, pg_tools
from wttui.providers.pg_copies import DatabaseCopies
from wttui.providers.postgres import PostgresProvider

ROWS = 400_000


@pytest.fixture
def filled(pg: PostgresProvider) -> Iterator[str]:
    """A database holding one table of `ROWS` rows (tens of MiB), analyzed."""
    name = f"test_prog_{uuid.uuid4().hex[:10]}"
    pg.create_database(name)
    run_sql(
        pg.url_for(name),
        "CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL)",
        f"INSERT INTO items SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, {ROWS}) g",
        "ANALYZE items",
    )
    yield name
    pg.drop_database(name, force=True)


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Measure every 20 ms, so a copy lasting a fraction of a second is measured a few times."""
    monkeypatch.setattr(pg_progress, "POLL_SECONDS", 0.02)


def _measured(sink: ListSink, label: str) -> list[tuple[int, int]]:
    return [(done, total) for done, total, got in sink.reports if got == label and total]


def test_a_template_copy_reports_the_new_database_growing_to_the_sources_size(
    pg: PostgresProvider, filled: str
) -> None:
    dest = f"{filled}_copy"
    sink = ListSink()
    try:
        DatabaseCopies(pg).copy(filled, dest, strategy="WAL_LOG", progress=sink)
        measured = _measured(sink, "copy")
        source_size = pg.get_database(filled)
        assert source_size is not None
        assert measured, "no progress was reported while the copy ran"
        # The source's size as the copy began: autovacuum may add a page (its visibility map)
        # to the source while or after it is copied, so it is compared within a few pages.
        assert source_size.size_bytes is not None
        slack = 8 * 8192
        assert all(abs(total - source_size.size_bytes) <= slack for _, total in measured)
        dones = [done for done, _ in measured]
        assert dones == sorted(dones)
        assert all(0 < done <= total for done, total in measured)
        assert sink.reports[-1][1] is None  # the bar goes when the copy ends
    finally:
        pg.drop_database(dest, force=True)


def test_a_dump_reports_the_table_data_read_and_a_restore_the_file_fed(
    pg: PostgresProvider, filled: str, tmp_path: Path
) -> None:
    url = pg.url_for(filled)
    major = server_major(url)
    dumped = ListSink()
    path = tmp_path / "items.dump"
    size = pg_tools.dump(
        pg_tools.find_tool("pg_dump", major), url, path, sink=dumped, cancel=CancelToken()
    )
    reads = _measured(dumped, "pg_dump")
    assert reads, "no progress was reported while pg_dump read the table"
    assert len({total for _, total in reads}) == 1
    assert [done for done, _ in reads] == sorted(done for done, _ in reads)
    assert dumped.reports[-1][1] is None

    dest = f"{filled}_restored"
    pg.create_database(dest, template="template0")
    try:
        restored = ListSink()
        pg_tools.restore(
            pg_tools.find_tool("pg_restore", major),
            pg.url_for(dest),
            path,
            sink=restored,
            cancel=CancelToken(),
        )
        fed = _measured(restored, "pg_restore")
        assert fed, "no progress was reported while pg_restore read the file"
        assert {total for _, total in fed} == {size}
        assert [done for done, _ in fed] == sorted(done for done, _ in fed)
        assert restored.reports[-1][1] is None
        with psycopg.connect(pg.url_for(dest)) as conn:
            count = conn.execute("SELECT count(*) FROM items").fetchone()
        assert count is not None
        assert count[0] == ROWS
    finally:
        pg.drop_database(dest, force=True)
