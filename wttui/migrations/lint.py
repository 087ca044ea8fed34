"""Lock-safety lint of pending migrations, by squawk (PyPI `squawk-cli`, which ships the binary;
Apache-2.0 OR MIT; it runs offline).

squawk flags statements that take long or blocking locks on tables that already exist — a
column added with a volatile default, `CREATE INDEX` without `CONCURRENTLY`, a `NOT NULL` or a
foreign key added without `NOT VALID`, a column type changed, a rename — and says the safer
pattern. wttui runs it on the up part of each pending SQL migration (`-- migrate:down` and
`-- +goose Down` parts cut off, so line numbers stay the file's), telling squawk whether the
file runs inside one transaction (then a table the file creates itself is new, and indexing it
is harmless) the way the built-in runner decides it. Migrations in Python, Ruby or JavaScript
are not linted. Results are cached by the file's text and the settings: refreshes don't rerun
squawk for files that did not change.

`[migrations] lint = "squawk"|"off"` and `lint_exclude` (rules left out; the default leaves
out style rules, keeping the lock rules) configure it; a repository's own `.squawk.toml` is
read by squawk as usual (it runs in the worktree).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from wttui.core.models import LintFinding, MigrationStatus
from wttui.errors import WttuiError

TIMEOUT = 30.0
"""Seconds one squawk run may take (it lints thousands of lines in milliseconds)."""
_DOWN = re.compile(r"^--\s*(migrate:down|\+goose\s+Down)\b", re.MULTILINE | re.IGNORECASE)
_NO_TRANSACTION = re.compile(
    r"^--\s*(migrate:up\b.*\btransaction\s*:\s*false|\+goose\s+NO\s+TRANSACTION)",
    re.MULTILINE | re.IGNORECASE,
)


class LintUnavailable(WttuiError):
    """squawk is not installed, or failed."""


class LinterMissing(LintUnavailable):
    """squawk is not installed (the `lint` extra): reads say nothing, plans say it once."""


@dataclass(frozen=True)
class LintSettings:
    """`[migrations] lint` and `lint_exclude`."""

    linter: str = "squawk"
    exclude: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return self.linter != "off"

    @classmethod
    def of(cls, migrations: object) -> LintSettings:
        """From the `[migrations]` section (`MigrationsConfig`)."""
        return cls(
            str(getattr(migrations, "lint", "squawk")),
            tuple(getattr(migrations, "lint_exclude", ())),
        )


MISSING = "not linted: squawk is not installed"
INSTALL = "pip install 'wttui[lint]'"
"""The one way to get the linter (PyPI squawk-cli, the `lint` extra); `[migrations] lint =
"off"` is the other way to stop the note (said by `wttui doctor`)."""
_SAID: set[str] = set()


def once(note: str) -> str | None:
    """`note` the first time this process says it, then None: a missing linter is a fact of
    the machine, said once per CLI run or app session rather than before every migrate."""
    with _LOCK:
        if note in _SAID:
            return None
        _SAID.add(note)
    return note


_CACHE: dict[tuple[str, bool, tuple[str, ...]], tuple[LintFinding, ...]] = {}
_LOCK = threading.Lock()


def squawk_binary() -> str | None:
    """squawk beside this Python (the `lint` extra installs it there), else on PATH."""
    here = Path(sys.executable).parent / "squawk"
    return str(here) if here.is_file() else shutil.which("squawk")


def up_part(text: str) -> str:
    """What a SQL migration applies: everything before its down marker."""
    marker = _DOWN.search(text)
    return text[: marker.start()] if marker else text


def in_one_transaction(sql_text: str) -> bool:
    """Whether the file runs inside one transaction: no transaction control of its own, no
    statement PostgreSQL refuses inside one, no `transaction:false` / `NO TRANSACTION`."""
    from wttui.migrations.statements import needs_own_transactions, split

    if _NO_TRANSACTION.search(sql_text):
        return False
    return needs_own_transactions(split(sql_text)) is None


def lint_texts(
    texts: Sequence[tuple[str, str]], settings: LintSettings, *, cwd: Path | None = None
) -> dict[str, tuple[LintFinding, ...]]:
    """Findings for each (key, SQL) pair, by key (no entry: none). `cwd` is where squawk looks
    for the repository's `.squawk.toml`.

    Raises:
        LintUnavailable: squawk is not installed, or could not lint (a bad rule name in
            `lint_exclude`, …).
    """
    if not settings.enabled or not texts:
        return {}
    results: dict[str, tuple[LintFinding, ...]] = {}
    todo: dict[bool, list[tuple[str, str]]] = {True: [], False: []}
    for key, text in texts:
        wrapped = in_one_transaction(text)
        with _LOCK:
            cached = _CACHE.get((text, wrapped, settings.exclude))
        if cached is None:
            todo[wrapped].append((key, text))
        elif cached:
            results[key] = cached
    for wrapped, batch in todo.items():
        if batch:
            found = _run(batch, wrapped, settings, cwd)
            for key, text in batch:
                with _LOCK:
                    _CACHE[(text, wrapped, settings.exclude)] = found.get(key, ())
                if found.get(key):
                    results[key] = found[key]
    return results


def _run(
    batch: Sequence[tuple[str, str]], wrapped: bool, settings: LintSettings, cwd: Path | None
) -> dict[str, tuple[LintFinding, ...]]:
    binary = squawk_binary()
    if binary is None:
        raise LinterMissing(MISSING, hint=INSTALL)
    with tempfile.TemporaryDirectory(prefix="wttui-lint-") as scratch:
        names: dict[str, str] = {}
        for index, (key, text) in enumerate(batch):
            name = f"{index:05d}.sql"
            (Path(scratch) / name).write_text(text)
            names[name] = key
        argv = [binary, "--reporter", "json", "--no-error-on-unmatched-pattern"]
        if wrapped:
            argv.append("--assume-in-transaction")
        if settings.exclude:
            argv.append("--exclude=" + ",".join(settings.exclude))
        config = _squawk_config(cwd)
        if config is not None:
            argv += ["--config", str(config)]
        try:
            done = subprocess.run(
                [*argv, *names],
                cwd=scratch,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise LintUnavailable(f"squawk did not run: {exc}") from None
    try:
        # Exit 1 with a report: findings. Anything else without one: squawk could not lint.
        reports = json.loads(done.stdout) if done.stdout.strip() else None
    except ValueError:
        reports = None
    if reports is None and done.returncode == 0:
        reports = []
    if not isinstance(reports, list):
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise LintUnavailable(f"squawk failed: {detail[0] if detail else done.returncode}")
    found: dict[str, list[LintFinding]] = {}
    for report in reports:
        owner = names.get(Path(str(report.get("file", ""))).name)
        if owner is None:
            continue
        found.setdefault(owner, []).append(
            LintFinding(
                line=int(report.get("line", 0)) + 1,  # squawk counts lines from 0
                rule=str(report.get("rule_name", "")),
                message=str(report.get("message", "")).strip(),
                help=(str(report["help"]).strip() or None) if report.get("help") else None,
            )
        )
    return {key: tuple(sorted(items, key=lambda f: f.line)) for key, items in found.items()}


def _squawk_config(cwd: Path | None) -> Path | None:
    """The repository's `.squawk.toml` (squawk looks in its working directory and above, but
    runs in a scratch folder here)."""
    for folder in [cwd, *cwd.parents] if cwd else []:
        if (folder / ".squawk.toml").is_file():
            return folder / ".squawk.toml"
    return None


def lint_files(
    paths: Iterable[Path], settings: LintSettings, *, cwd: Path | None = None
) -> dict[Path, tuple[LintFinding, ...]]:
    """Findings of each SQL file (its up part), by path; other files are skipped."""
    texts = []
    for path in paths:
        if path.suffix == ".sql" and not path.name.endswith(".down.sql") and path.is_file():
            texts.append((str(path), up_part(path.read_text(errors="replace"))))
    return {Path(key): found for key, found in lint_texts(texts, settings, cwd=cwd).items()}


def lint_pending(
    statuses: Sequence[MigrationStatus], settings: LintSettings, *, cwd: Path | None = None
) -> tuple[MigrationStatus, ...]:
    """`statuses` with the findings of each migration still to run (pending, failed, rolled
    back) set on it; the others as they are.

    Raises:
        LintUnavailable: as `lint_texts`.
    """
    waiting = [s.file for s in statuses if s.state.to_run and s.file is not None]
    found = lint_files(waiting, settings, cwd=cwd)
    if not found:
        return tuple(statuses)
    return tuple(
        replace(s, lint=found[s.file]) if s.file is not None and s.file in found else s
        for s in statuses
    )
