"""The executor of every tool with a CLI: its apply or roll-back-one command, run in the worktree.

The command runs with the worktree's database env (`DATABASE_URL`, …) and the folder in force
(`WTTUI_MIGRATIONS_DIR`), its output streamed into the log with passwords masked; cancelling
terminates it. What it applied or reverted is read back from the tool's own table by the runner:
a CLI's output is no record.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from pathlib import Path

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.urls import url_parts, url_secrets, with_query
from wttui.errors import ConfigError, MigrationFailed
from wttui.migrations.adapter import ApplyContext, Executor, LocalMigration
from wttui.providers.process import stream


class CommandExecutor(Executor):
    """One tool's commands bound to one worktree's folder."""

    def __init__(
        self,
        tool: str,
        folder: Path,
        *,
        apply: tuple[str, ...],
        rollback: tuple[str, ...] | None,
    ) -> None:
        self.tool = tool
        self.folder = folder
        self.apply_command = apply
        self.rollback_command = rollback

    @property
    def can_revert(self) -> bool:
        return self.rollback_command is not None

    def apply(
        self,
        conninfo: str,
        pending: Sequence[LocalMigration],
        *,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> None:
        """The tool applies what it finds pending itself (it may know better than wttui, e.g.
        a graph), so the command runs even when `pending` is empty."""
        del conninfo, pending  # the tool connects with the worktree's env
        if not self.apply_command:
            raise ConfigError(
                f"{self.tool} has no default apply command",
                hint="set [migrations] apply to the command that applies its migrations",
            )
        self._run(self.apply_command, context, sink, cancel)

    def revert(
        self,
        conninfo: str,
        migration: LocalMigration,
        *,
        context: ApplyContext,
        sink: LogSink,
        cancel: CancelToken,
    ) -> None:
        del conninfo, migration  # the tool reverts its own newest: the runner checked it
        if self.rollback_command is None:  # the runner refuses before: a guard, not a rule
            raise MigrationFailed(f"{self.tool} has no roll-back command")
        self._run(self.rollback_command, context, sink, cancel)

    def run(
        self, command: Sequence[str], context: ApplyContext, sink: LogSink, cancel: CancelToken
    ) -> None:
        """Any of the tool's commands (`resolve`'s), run as apply's is.

        Raises:
            MigrationFailed: it exited with a non-zero status.
            Cancelled: the user cancelled.
        """
        self._run(command, context, sink, cancel)

    def _run(
        self, command: Sequence[str], context: ApplyContext, sink: LogSink, cancel: CancelToken
    ) -> None:
        secrets = tuple(s for value in context.env.values() for s in url_secrets(value))
        sink.step(f"Running {shlex.join(command)} in {context.path}")
        status = stream(
            command,
            cwd=context.path,
            env={
                **os.environ,
                **{k: local_without_ssl(v) for k, v in context.env.items()},
                # The folder in force, for commands that need it (`[migrations] dir`).
                "WTTUI_MIGRATIONS_DIR": str(self.folder),
            },
            sink=sink,
            cancel=cancel,
            secrets=secrets,
            missing_hint=f"install {self.tool}, or set [migrations] apply/rollback to its command",
        )
        if status != 0:
            raise MigrationFailed(
                f"{shlex.join(command)} exited with status {status}",
                hint="its output is in the log above",
            )


def local_without_ssl(value: str) -> str:
    """A URL to a server on this machine, told not to ask for SSL: the embedded cluster and
    per-worktree containers have none, and Go's lib/pq (dbmate, golang-migrate) insists by
    default. Other values, and URLs that say `sslmode` themselves, pass unchanged."""
    if not value.startswith(("postgres://", "postgresql://")) or "sslmode=" in value:
        return value
    if url_parts(value)["host"] not in ("127.0.0.1", "localhost", "::1"):
        return value
    return with_query(value, sslmode="disable")
