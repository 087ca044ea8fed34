"""Typed errors: every failure a user can meet, each with one clear sentence and a hint.

Providers translate library exceptions (GitPython, psycopg, subprocess) into these, so the CLI
prints the message and exits with the error's code, and the app shows it as a toast and in the
log, without either of them knowing which library failed.

Exit codes, the one table (README's "Exit codes" repeats it):

| code | meaning                              | errors                                        |
|------|--------------------------------------|-----------------------------------------------|
| 0    | success (also `--dry-run`)           |                                               |
| 1    | the action failed                    | `WttuiError`, `GitError`, `DatabaseError`,    |
|      |                                      | `MigrationFailed`                             |
| 2    | bad input or config                  | `InvalidInput`, `ConfigError`                 |
| 3    | server or Docker engine unreachable  | `DatabaseUnavailable`, `DockerUnavailable`,   |
|      |                                      | `ServerSetupError`                            |
| 4    | refused by a rule, or not confirmed  | `Refused` and its `NeedsForce` kinds          |
|      |                                      | (`DirtyWorktree`, `DatabaseInUse`,            |
|      |                                      | `EnvConflict`), `NeedsConfirmation`           |
| 130  | interrupted (Ctrl-C, `x` in the app) | `Cancelled`                                   |
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_UNREACHABLE = 3
EXIT_REFUSED = 4
EXIT_INTERRUPTED = 130


class WttuiError(Exception):
    """Base class: a failure with a one-line message and an optional hint on what to do."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class ConfigError(WttuiError):
    """The configuration file is malformed or holds an unknown key or a bad value."""

    exit_code = EXIT_BAD_INPUT


class InvalidInput(WttuiError):
    """A name, branch or argument given by the user cannot be used."""

    exit_code = EXIT_BAD_INPUT


class EnvFileError(InvalidInput):
    """An env file cannot be read or written as text (a directory, not UTF-8, unreadable).

    Raised per file, so a bad `.env` in one worktree never hides the others."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"Cannot use {path}: {reason}", hint="fix or remove that file")
        self.path = path
        self.reason = reason


class NoDatabase(InvalidInput):
    """The worktree has no database, on purpose (`strategy = "none"`, `create --no-db`): a
    command that needs one has nothing to act on. One wording for every command and key."""

    def __init__(self, label: str, doing: str) -> None:
        super().__init__(
            f"{label} has no database (strategy none): nothing to {doing}",
            hint=give_it_one(label),
        )
        self.label = label


def give_it_one(label: str) -> str:
    """How a worktree with no database gets one (`--no-db` records it in git config, a team
    sets it in `.wttui.toml`; the recorded choice wins)."""
    return (
        f"give it one: `git config --unset branch.{label}.wttuiStrategy` (set by --no-db) or "
        f'drop its [worktrees."{label}"] strategy = "none", then `wttui sync {label}`'
    )


class GitError(WttuiError):
    """A git operation failed; the message is git's own reason in one sentence."""


class NotARepository(GitError):
    """The path wttui was started in (or given with -C) is not inside a git repository: bad
    input (exit 2), not a failed action."""

    exit_code = EXIT_BAD_INPUT


class DatabaseUnavailable(WttuiError):
    """The PostgreSQL server cannot be reached (down, refusing, wrong credentials)."""

    exit_code = EXIT_UNREACHABLE


class DatabaseError(WttuiError):
    """A statement failed on a reachable server."""


class DockerUnavailable(WttuiError):
    """The Docker engine cannot be reached, or refused an operation."""

    exit_code = EXIT_UNREACHABLE


class ServerSetupError(WttuiError):
    """The embedded PostgreSQL cluster cannot be initialised or started."""

    exit_code = EXIT_UNREACHABLE


class MigrationFailed(WttuiError):
    """A migration failed; its transaction was rolled back."""


class MigrationFileError(WttuiError):
    """A migration file is malformed (bad name, duplicate version, empty up part, a revision
    script or plan line the tool could not read either)."""

    exit_code = 2


class Refused(WttuiError):
    """A safety rule refused the action (shared database, dirty worktree, hand-set .env value)."""

    exit_code = EXIT_REFUSED


class NeedsConfirmation(WttuiError):
    """A destructive action was asked for without the confirmation it needs."""

    exit_code = EXIT_REFUSED


class Cancelled(WttuiError):
    """The user cancelled a running action."""

    exit_code = EXIT_INTERRUPTED


class NeedsForce(Refused):
    """A refusal that `--force` (the app's "force" box) overrides, knowingly."""


class DirtyWorktree(NeedsForce):
    """A worktree has uncommitted changes and the action would lose them."""


class DatabaseInUse(NeedsForce, DatabaseError):
    """A database has open sessions and the action needs it idle."""


class EnvConflict(NeedsForce):
    """The env file holds a hand-set value that differs from the one wttui would write."""

    def __init__(self, message: str, *, diff: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.diff = diff
        """A unified diff of the env file (passwords masked), for the confirmation dialog."""


class AdoptableDatabase(NeedsConfirmation):
    """The database a new worktree would get already exists and belongs to no worktree."""

    def __init__(self, message: str, *, database: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.database = database
