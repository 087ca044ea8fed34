"""The shared-database command rules (F35): what is refused, what is not, and what cannot be
judged — through launchers, package runners, versions and shell strings."""

from __future__ import annotations

import shlex

import pytest

from wttui.config import DEFAULT_REFUSED_COMMANDS
from wttui.core.guards import judge, program_name, refused_rule


def rule_of(command: str) -> str | None:
    return refused_rule(shlex.split(command), DEFAULT_REFUSED_COMMANDS)


@pytest.mark.parametrize(
    ("command", "rule"),
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
        # The fault suite's escapes (issue 13, item 2).
        ("env dropdb myapp", "dropdb"),
        ("env -i PGHOST=x PGPORT=1 dropdb myapp", "dropdb"),
        ("env -S 'dropdb myapp'", "dropdb"),
        ("sudo -u postgres dropdb myapp", "dropdb"),
        ("sh -c 'dropdb myapp'", "dropdb"),
        ("bash -lc 'echo start && dropdb myapp'", "dropdb"),
        ("bash -c 'echo start\ndropdb myapp'", "dropdb"),
        ("sh -c \"bash -c 'eval dropdb myapp'\"", "dropdb"),
        ("sh -c 'FOO=1 2>/dev/null dropdb myapp'", "dropdb"),
        ("npx --yes prisma migrate reset", "prisma migrate reset"),
        ("npx -y --package=prisma@5 prisma migrate reset", "prisma migrate reset"),
        ("npx prisma@5 migrate reset", "prisma migrate reset"),
        ("npx -c 'prisma migrate reset'", "prisma migrate reset"),
        ("pnpm prisma migrate reset", "prisma migrate reset"),
        ("pnpm --filter api exec prisma migrate reset", "prisma migrate reset"),
        ("pnpm dlx prisma@5.2.0 migrate reset", "prisma migrate reset"),
        ("pnpx prisma migrate reset", "prisma migrate reset"),
        ("yarn prisma migrate reset", "prisma migrate reset"),
        ("yarn dlx prisma migrate reset", "prisma migrate reset"),
        ("yarn workspace api prisma migrate reset", "prisma migrate reset"),
        ("bunx prisma@5 migrate reset", "prisma migrate reset"),
        ("bun x prisma migrate reset", "prisma migrate reset"),
        ("npm exec -- prisma migrate reset", "prisma migrate reset"),
        ("npm exec --yes --package=prisma -- prisma migrate reset", "prisma migrate reset"),
        ("npm x prisma migrate reset", "prisma migrate reset"),
        ("uvx --from pgcli dropdb myapp", "dropdb"),
        ("uv run --with x dropdb myapp", "dropdb"),
        ("poetry run dropdb myapp", "dropdb"),
        ("timeout 30 nice -n 5 dropdb myapp", "dropdb"),
        ("./node_modules/.bin/prisma migrate reset", "prisma migrate reset"),
    ],
)
def test_destructive_commands_match_their_rule(command: str, rule: str) -> None:
    assert rule_of(command) == rule


@pytest.mark.parametrize(
    "command",
    [
        "npx prisma migrate deploy",
        "npx prisma db push",
        "prisma migrate dev",
        "rails db:migrate",
        "createdb myapp",
        "echo prisma migrate reset",
        "sh -c 'echo dropdb is dangerous'",
        "sh ./scripts/seed.sh",
        "npm run dev",
        "pnpm install",
        "",
    ],
)
def test_other_commands_pass(command: str) -> None:
    verdict = judge(shlex.split(command), DEFAULT_REFUSED_COMMANDS)
    assert verdict.clear
    assert verdict.reason() == ""


@pytest.mark.parametrize(
    "command",
    [
        "sh -c 'echo $CMD'",
        "bash -c '$(cat cmd.txt)'",
        "sh -c 'eval `cat cmd`'",
        'sh -c "it\'s unbalanced"',
    ],
)
def test_shell_strings_that_cannot_be_judged_say_so(command: str) -> None:
    verdict = judge(shlex.split(command), DEFAULT_REFUSED_COMMANDS)
    assert verdict.rule is None
    assert verdict.unjudged
    assert "cannot judge" in verdict.reason()


def test_a_match_wins_over_an_unjudged_part() -> None:
    verdict = judge(["sh", "-c", "dropdb $DB"], DEFAULT_REFUSED_COMMANDS)
    assert verdict.rule == "dropdb"
    assert verdict.command == ("dropdb", "$DB")
    assert "matches the rule `dropdb`" in verdict.reason()


def test_rules_come_from_config() -> None:
    assert refused_rule(["./scripts/wipe.sh", "--all"], ["wipe.sh --all"]) == "wipe.sh --all"
    assert refused_rule(["./scripts/wipe.sh"], ["wipe.sh --all"]) is None


@pytest.mark.parametrize(
    ("word", "program"),
    [
        ("prisma@5", "prisma"),
        ("@prisma/cli@5.1", "cli"),
        ("ruff==0.5", "ruff"),
        ("dropdb", "dropdb"),
    ],
)
def test_program_names_drop_paths_scopes_and_versions(word: str, program: str) -> None:
    assert program_name(word) == program
