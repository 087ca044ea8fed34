"""Every adapter by its `[migrations] tool` name, and detection from a worktree's files."""

from __future__ import annotations

from pathlib import Path

from wttui.migrations.adapter import Adapter
from wttui.migrations.tools.alembic import AlembicAdapter
from wttui.migrations.tools.dbmate import DbmateAdapter
from wttui.migrations.tools.django import DjangoAdapter
from wttui.migrations.tools.drizzle import DrizzleAdapter
from wttui.migrations.tools.flyway import FlywayAdapter
from wttui.migrations.tools.golang_migrate import GolangMigrateAdapter
from wttui.migrations.tools.goose import GooseAdapter
from wttui.migrations.tools.knex import KnexAdapter
from wttui.migrations.tools.node_pg_migrate import NodePgMigrateAdapter
from wttui.migrations.tools.prisma import PrismaAdapter
from wttui.migrations.tools.rails import RailsAdapter
from wttui.migrations.tools.sqitch import SqitchAdapter

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
