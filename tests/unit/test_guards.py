"""The shared-database command rules (F35): what is refused and what is not."""

from __future__ import annotations

import pytest

from wttui.config import DEFAULT_REFUSED_COMMANDS
from wttui.core.guards import refused_rule


@pytest.mark.parametrize(
    ("argv", "rule"),
    [
        ("npx prisma migrate reset", "prisma migrate reset"),
        ("npx prisma migrate reset --force", "prisma migrate reset"),
        (
            "pnpm exec prisma db push --accept-data-loss --force-reset",
            "prisma db push --force-reset",
        ),
        ("prisma db push --force-reset", "prisma db push --force-reset"),
        ("dropdb myapp", "dropdb"),
        ("/usr/bin/dropdb myapp", "dropdb"),
        ("bin/rails db:drop", "rails db:drop"),
        ("bundle exec rake db:reset", "rake db:reset"),
    ],
)
def test_destructive_commands_match_their_rule(argv: str, rule: str) -> None:
    assert refused_rule(argv.split(), DEFAULT_REFUSED_COMMANDS) == rule


@pytest.mark.parametrize(
    "argv",
    [
        "npx prisma migrate deploy",
        "npx prisma db push",
        "prisma migrate dev",
        "rails db:migrate",
        "createdb myapp",
        "echo prisma migrate reset",
        "pnpm --filter api exec prisma migrate reset",  # an option after pnpm: not unwrapped
        "",
    ],
)
def test_other_commands_pass(argv: str) -> None:
    assert refused_rule(argv.split(), DEFAULT_REFUSED_COMMANDS) is None


def test_rules_come_from_config() -> None:
    assert refused_rule(["./scripts/wipe.sh", "--all"], ["wipe.sh --all"]) == "wipe.sh --all"
    assert refused_rule(["./scripts/wipe.sh"], ["wipe.sh --all"]) is None
