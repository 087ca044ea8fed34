"""Sharing is recognised whatever form the other worktree's `.env` uses: URL, socket URL or
keyword DSN, and whichever name it gives this machine."""

from __future__ import annotations

import pytest

from wttui.core.models import DbTarget
from wttui.core.sharing import same_database, shares
from wttui.providers.conninfo import location

TARGET = "postgresql://postgres:pw@127.0.0.1:5433/myapp_feat__x"


@pytest.mark.parametrize(
    "dsn",
    [
        TARGET,
        "postgresql://someone:other@localhost:5433/myapp_feat__x",
        "postgres://[::1]:5433/myapp_feat__x?sslmode=disable",
        "postgresql:///myapp_feat__x?host=/tmp&port=5433",
        "postgresql:///myapp_feat__x?host=%2Fhome%2Fme%2F.local%2Fshare%2Fwttui&port=5433",
        "host=127.0.0.1 port=5433 dbname=myapp_feat__x",
        "host=localhost port=5433 dbname=myapp_feat__x user=app password=secret",
        "host=/var/run/postgresql port=5433 dbname=myapp_feat__x",
        "host=db.example.com,127.0.0.1 port=5432,5433 dbname=myapp_feat__x",
        "user=myapp_feat__x port=5433",  # no dbname: libpq uses the user's name
        "postgresql://u@localhost:5433/myapp_feat__x?connection_limit=5",  # Prisma's extras
    ],
)
def test_every_form_of_the_same_database_is_recognised(dsn: str) -> None:
    assert same_database(dsn, TARGET, location)


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://postgres:pw@127.0.0.1:5433/myapp_main",
        "postgresql://postgres:pw@127.0.0.1:5434/myapp_feat__x",
        "postgresql://postgres:pw@db.example.com:5433/myapp_feat__x",
        "host=localhost dbname=myapp_feat__x",  # port 5432
        "postgresql://u@localhost:5433/myapp_feat__x?schema=other",
        "not a connection string",
        "",
    ],
)
def test_other_databases_are_not_shared(dsn: str) -> None:
    assert not same_database(dsn, TARGET, location)


def test_schemas_are_compared_in_both_forms() -> None:
    prisma = "postgresql://u:p@localhost:5433/app?schema=feat__x"
    libpq = "host=127.0.0.1 port=5433 dbname=app options='-csearch_path=feat__x'"
    assert same_database(libpq, prisma, location)
    assert not same_database("host=127.0.0.1 port=5433 dbname=app", prisma, location)


def test_a_worktree_shares_by_plan_or_by_env() -> None:
    target = DbTarget("database", "myapp_feat__x", TARGET, masked_url="", server="local")
    other = DbTarget("database", "myapp_main", TARGET.replace("feat__x", "main"), "", "local")
    assert shares(target, target, None, location)
    assert shares(target, other, "host=localhost port=5433 dbname=myapp_feat__x", location)
    assert not shares(target, other, None, location)
