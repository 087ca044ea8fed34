"""A fixed, hand-made snapshot for SVG snapshot tests only (real tests use real services).

Snapshots must not change with temp paths, server ports or the clock, so the layout tests run
on this stand-in; everything else in tests/app drives real git and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import cast

from wttui.core.models import (
    DatabaseInfo,
    DbStatus,
    DbTarget,
    EnvState,
    MigrationState,
    MigrationStatus,
    RepoSnapshot,
    Worktree,
    WorktreeView,
)
from wttui.services import Services
from wttui.ui.app import WttuiApp, make_app

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SERVER = "embedded 127.0.0.1:54321"
_MIGRATIONS = [
    ("20251014220648", "create_users"),
    ("20251015093000", "create_orders"),
    ("20251016120000", "add_user_mfa"),
    ("20251016140000", "create_sessions"),
]


def _target(name: str) -> DbTarget:
    url = f"postgresql://postgres:***@127.0.0.1:54321/{name}"
    return DbTarget("database", name, url, url, SERVER)


def view(
    branch: str, path: str, *, states: list[MigrationState], main: bool = False, **extra: object
) -> WorktreeView:
    name = "shop_" + branch.replace("/", "_").replace("-", "_")
    worktree = Worktree(
        path=Path(path),
        branch=branch,
        head="0" * 40,
        is_main=main,
        dirty=bool(extra.get("dirty")),
        ahead=cast(int | None, extra.get("ahead")),
        behind=None,
        last_commit_at=NOW - timedelta(hours=3 if main else 26),
        last_commit_subject="work",
    )
    migrations = tuple(
        MigrationStatus(
            version=version,
            name=label,
            state=state,
            file=Path(path) / "migrations" / f"{version}_{label}.sql",
            applied_at=NOW - timedelta(hours=2) if state is MigrationState.APPLIED else None,
            applied_by=branch if state is MigrationState.APPLIED else None,
            error='20251016140000_create_sessions.sql:2: relation "nope" does not exist'
            if state is MigrationState.FAILED
            else None,
        )
        for (version, label), state in zip(_MIGRATIONS, states, strict=False)
    )
    present = bool(states)
    return WorktreeView(
        worktree=worktree,
        target=_target(name),
        db_status=DbStatus.PRESENT if present else DbStatus.MISSING,
        database=DatabaseInfo(name, 8_110_000, 1 if main else 0) if present else None,
        migrations=migrations,
        env=EnvState(Path(path) / ".env", exists=present, matches=present),
    )


A = MigrationState.APPLIED
SNAPSHOT = RepoSnapshot(
    root=Path("/src/shop"),
    project="shop",
    server=SERVER,
    views=(
        view("main", "/src/shop", states=[A, A], main=True),
        view("feat/user-auth", "/src/shop-worktrees/feat-user-auth", states=[A, A, A, A], ahead=2),
        view(
            "feat/payments",
            "/src/shop-worktrees/feat-payments",
            states=[A, A, MigrationState.PENDING],
            dirty=True,
        ),
        view(
            "fix/sessions",
            "/src/shop-worktrees/fix-sessions",
            states=[A, A, A, MigrationState.FAILED],
        ),
        view("spike/search", "/src/shop-worktrees/spike-search", states=[]),
    ),
)


class FakeServices:
    """What the app reads from its services; `snapshot()` stands in for the read model
    (`fake_app`). Tests may swap `current` between refreshes."""

    project = "shop"
    server_label = SERVER
    config = SimpleNamespace(database=SimpleNamespace(url=""))

    def __init__(self, snapshot: RepoSnapshot = SNAPSHOT) -> None:
        self.current = snapshot

    def snapshot(self) -> RepoSnapshot:
        return self.current

    def watch_paths(self, snapshot: RepoSnapshot) -> list[Path]:
        del snapshot
        return []


def fake_services(snapshot: RepoSnapshot = SNAPSHOT) -> Services:
    return cast(Services, FakeServices(snapshot))


def fake_app(fake: FakeServices | None = None) -> WttuiApp:
    """The app on fixed data: `fake.snapshot()` answers every read."""
    fake = fake or FakeServices()
    return make_app(cast(Services, fake), read=lambda **_: fake.snapshot())
