"""Lock-safety lint of pending migrations with the real squawk (PyPI squawk-cli): what it flags
on existing tables and what it leaves alone, lines as the file has them, the down part never
linted, rule exclusions, `lint = "off"`; then the findings before `migrate` (its plan) and in
`drift`, through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import steps
from tests.cli.conftest import wttui
from tests.conftest import require_component
from tests.repo_factory import git, write_files
from wttui.config_model import DEFAULT_LINT_EXCLUDE
from wttui.migrations.lint import LintSettings, LintUnavailable, lint_files, squawk_binary
from wttui.services import Services

RISKY = (
    "-- migrate:up\n"  # 1
    "CREATE TABLE fresh (id bigint PRIMARY KEY, email text);\n"  # 2
    "CREATE INDEX fresh_email ON fresh (email);\n"  # 3: a new table: harmless
    "CREATE INDEX users_email ON users (email);\n"  # 4
    "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"  # 5
    "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"  # 6
    "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);\n"  # 7
    "ALTER TABLE orders ALTER COLUMN id TYPE bigint;\n"  # 8
    "ALTER TABLE users RENAME COLUMN email TO mail;\n"  # 9
    "-- migrate:down\n"
    "DROP TABLE users;\n"  # a down part is never linted
)
DEFAULTS = LintSettings("squawk", DEFAULT_LINT_EXCLUDE)


@pytest.fixture(autouse=True)
def squawk() -> None:
    if squawk_binary() is None:
        require_component("squawk", "install the dev extra (PyPI squawk-cli ships the binary)")


def rules(path: Path, settings: LintSettings = DEFAULTS) -> set[tuple[int, str]]:
    return {(f.line, f.rule) for f in lint_files([path], settings).get(path, ())}


def test_lock_taking_statements_on_existing_tables_are_flagged(tmp_path: Path) -> None:
    path = tmp_path / "003_risky.sql"
    path.write_text(RISKY)
    found = rules(path)
    assert {
        (4, "require-concurrent-index-creation"),
        (5, "adding-field-with-default"),
        (6, "adding-not-nullable-field"),
        (7, "adding-foreign-key-constraint"),
        (8, "changing-column-type"),
        (9, "renaming-column"),
    } <= found
    assert not {line for line, _ in found} & {2, 3}  # the file's own new table
    assert "ban-drop-table" not in {rule for _, rule in found}  # the down part
    with_help = lint_files([path], DEFAULTS)[path]
    assert any(f.help and "concurrently" in f.help for f in with_help)


def test_safe_patterns_pass(tmp_path: Path) -> None:
    path = tmp_path / "004_safe.sql"
    path.write_text(
        "CREATE INDEX CONCURRENTLY users_email ON users (email);\n"
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) "
        "NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT fk;\n"
    )
    assert rules(path) == set()


def test_exclusions_and_off(tmp_path: Path) -> None:
    path = tmp_path / "003_risky.sql"
    path.write_text(RISKY)
    fewer = LintSettings("squawk", (*DEFAULT_LINT_EXCLUDE, "renaming-column"))
    assert "renaming-column" not in {rule for _, rule in rules(path, fewer)}
    assert rules(path, LintSettings("off", ())) == set()
    with pytest.raises(LintUnavailable, match="squawk failed"):
        rules(path, LintSettings("squawk", ("no-such-rule",)))


def test_findings_before_migrate_and_in_drift(repo: Path) -> None:
    services = Services.from_path(repo)
    steps.create(services, "main")
    write_files(repo, {"migrations/003_risky.sql": RISKY.replace("orders", "users")})
    dry = wttui(repo, "migrate", "main", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "apply      003_risky" in dry.stdout
    assert "  lock     line 4: require-concurrent-index-creation:" in dry.stdout
    assert "(Use `concurrently` to avoid blocking writes.)" in dry.stdout

    git(repo, "checkout", "-q", "-b", "feat/risky")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "risky")
    git(repo, "checkout", "-q", "main")
    report = wttui(repo, "drift")
    assert report.returncode == 0, report.stderr
    assert "## Lock safety" in report.stdout
    assert "| feat/risky | `003_risky` | 4 | `require-concurrent-index-creation` |" in report.stdout
