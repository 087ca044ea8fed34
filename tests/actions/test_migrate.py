"""Migrate and roll back through the actions the app and the CLI share."""

from __future__ import annotations

import pytest

from tests import steps
from wttui.core.logsink import CancelToken, ListSink
from wttui.core.models import MigrationState
from wttui.errors import DatabaseError, InvalidInput
from wttui.services import Services
from wttui.snapshot import read_view


def test_new_migration_shows_pending_then_applies_then_rolls_back(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    view = steps.create(services, "feat/m", sink=ListSink(), cancel=cancel)
    (view.worktree.path / "migrations/003_add_flag.sql").write_text(
        "-- migrate:up\nALTER TABLE users ADD COLUMN flag bool;\n"
        "-- migrate:down\nALTER TABLE users DROP COLUMN flag;\n"
    )
    states = [m.state for m in read_view(services, "feat/m").migrations]
    assert states == [MigrationState.APPLIED, MigrationState.APPLIED, MigrationState.PENDING]

    assert steps.migrate(services, "feat/m", sink=sink, cancel=cancel) == 1
    assert read_view(services, "feat/m").counts.applied == 3

    assert steps.rollback(services, "feat/m", steps=2, sink=sink, cancel=cancel) == 2
    counts = read_view(services, "feat/m").counts
    assert (counts.applied, counts.pending) == (1, 2)


def test_migrate_without_database_says_how_to_create_it(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    with pytest.raises(DatabaseError, match="does not exist") as info:
        steps.migrate(services, "main", sink=sink, cancel=cancel)
    assert info.value.hint is not None
    assert "wttui sync main" in info.value.hint


def test_rollback_needs_a_positive_count(
    services: Services, sink: ListSink, cancel: CancelToken
) -> None:
    with pytest.raises(InvalidInput):
        steps.rollback(services, "main", steps=0, sink=sink, cancel=cancel)


def test_unknown_worktree(services: Services, sink: ListSink, cancel: CancelToken) -> None:
    with pytest.raises(InvalidInput, match="No worktree for 'nope'"):
        steps.migrate(services, "nope", sink=sink, cancel=cancel)
