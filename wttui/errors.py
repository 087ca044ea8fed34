"""Typed errors: every failure a user can meet, each with one clear sentence and a hint.

Providers translate library exceptions (GitPython, psycopg, subprocess) into these, so the CLI
prints `title` and exits non-zero, and the app shows it as a toast and in the log, without either
of them knowing which library failed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class WttuiError(Exception):
    """Base class: a failure with a one-line message and an optional hint on what to do."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class ConfigError(WttuiError):
    """The configuration file is malformed or holds an unknown key or a bad value."""

    exit_code = 2


class InvalidInput(WttuiError):
    """A name, branch or argument given by the user cannot be used."""

    exit_code = 2


class EnvFileError(InvalidInput):
    """An env file cannot be read or written as text (a directory, not UTF-8, unreadable).

    Raised per file, so a bad `.env` in one worktree never hides the others."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"Cannot use {path}: {reason}", hint="fix or remove that file")
        self.path = path
        self.reason = reason


class GitError(WttuiError):
    """A git operation failed; the message is git's own reason in one sentence."""


class DirtyWorktree(GitError):
    """A worktree has uncommitted changes and the action would lose them."""


class DatabaseUnavailable(WttuiError):
    """The PostgreSQL server cannot be reached (down, refusing, wrong credentials)."""

    exit_code = 3


class DatabaseError(WttuiError):
    """A statement failed on a reachable server."""


class DatabaseInUse(DatabaseError):
    """A database has open sessions and the action needs it idle."""


class DockerUnavailable(WttuiError):
    """The Docker engine cannot be reached, or refused an operation."""

    exit_code = 3


class ServerSetupError(WttuiError):
    """The embedded PostgreSQL cluster cannot be initialised or started."""

    exit_code = 3


class MigrationFailed(WttuiError):
    """A migration failed; its transaction was rolled back."""


class Refused(WttuiError):
    """A safety rule refused the action (shared database, dirty worktree, hand-set .env value)."""

    exit_code = 4


class NeedsConfirmation(WttuiError):
    """A destructive action was asked for without the confirmation it needs."""

    exit_code = 4


class Cancelled(WttuiError):
    """The user cancelled a running action."""

    exit_code = 130


class EnvConflict(Refused):
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
