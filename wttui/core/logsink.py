"""How actions report: steps and log lines go to a sink; cancellation comes back through a token.

Actions are plain functions shared by the app and the CLI. The CLI passes a sink that prints to
stderr; the app passes one that batches lines into messages for the Log pane; tests pass a
`ListSink` and assert on what a user would have read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from wttui.errors import Cancelled


class LogSink(Protocol):
    """Receives the narration of one running action. Implementations must be thread-safe."""

    def step(self, text: str) -> None:
        """A new step starts (`Creating database myapp_auth`)."""

    def line(self, text: str, *, stream: str = "out") -> None:
        """One line of detail; `stream` is `out`, `err` (a tool's stderr) or `warn`."""

    def progress(self, done: int, total: int | None, label: str = "") -> None:
        """How far a long step is, measured: `done` of `total` (bytes, usually). `total` None:
        nothing is measured now (the step ended, or its size cannot be known), so any bar is
        taken away. Called from a worker or a poller thread, often: a sink keeps the latest.

        Optional: a sink that shows no progress inherits this no-op (subclass `LogSink`)."""
        del done, total, label


class CancelToken:
    """Set by the user (`x` in the app, Ctrl-C in the CLI); checked by actions between steps.

    Subprocess runners also register a callback so a running child is terminated at once.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        """Ask the action to stop; runs registered callbacks once."""
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Register `callback` to run on cancel; returns a function that unregisters it."""
        with self._lock:
            already = self._event.is_set()
            if not already:
                self._callbacks.append(callback)
        if already:
            callback()

        def remove() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return remove

    def check(self) -> None:
        """Raise `Cancelled` if cancel was asked for."""
        if self._event.is_set():
            raise Cancelled("Cancelled by the user.")


@dataclass
class ListSink(LogSink):
    """Keeps every step and line in order, in memory (tests, and the CLI's error context)."""

    entries: list[tuple[str, str]] = field(default_factory=list)
    """`("step", text)` or `(stream, text)` in the order they arrived."""
    reports: list[tuple[int, int | None, str]] = field(default_factory=list)
    """Every progress report, in order (kept apart: they are not narration)."""

    def step(self, text: str) -> None:
        self.entries.append(("step", text))

    def line(self, text: str, *, stream: str = "out") -> None:
        self.entries.append((stream, text))

    def progress(self, done: int, total: int | None, label: str = "") -> None:
        self.reports.append((done, total, label))

    @property
    def steps(self) -> list[str]:
        return [text for kind, text in self.entries if kind == "step"]

    @property
    def text(self) -> str:
        """Everything as one string, in order."""
        return "\n".join(text for _, text in self.entries)


class NullSink(LogSink):
    """Discards everything (read models that reuse action helpers)."""

    def step(self, text: str) -> None:
        del text

    def line(self, text: str, *, stream: str = "out") -> None:
        del text, stream
