"""Every adapter by its `[migrations] tool` name, and detection from a worktree's files."""

from __future__ import annotations

from pathlib import Path

from wttui.migrations.adapter import Adapter
from wttui.migrations.alembic import AlembicAdapter
from wttui.migrations.dbmate import DbmateAdapter
from wttui.migrations.django import DjangoAdapter
from wttui.migrations.drizzle import DrizzleAdapter
from wttui.migrations.flyway import FlywayAdapter
from wttui.migrations.golang_migrate import GolangMigrateAdapter
from wttui.migrations.goose import GooseAdapter
from wttui.migrations.knex import KnexAdapter
from wttui.migrations.node_pg_migrate import NodePgMigrateAdapter
from wttui.migrations.prisma import PrismaAdapter
from wttui.migrations.rails import RailsAdapter
from wttui.migrations.sqitch import SqitchAdapter

ADAPTERS: dict[str, Adapter] = {
    adapter.name: adapter
    for adapter in (
        PrismaAdapter(),
        DrizzleAdapter(),
        FlywayAdapter(),
        KnexAdapter(),
        NodePgMigrateAdapter(),
        AlembicAdapter(),
        SqitchAdapter(),
        RailsAdapter(),
        GooseAdapter(),
        GolangMigrateAdapter(),
        DbmateAdapter(),
        DjangoAdapter(),  # last: it walks the tree
    )
}
"""In detection order: the most specific markers first."""


def detect(root: Path) -> Adapter | None:
    """The first adapter whose markers `root` has; None: wttui's own SQL runner."""
    for adapter in ADAPTERS.values():
        if adapter.detect(root):
            return adapter
    return None
