"""Running one action at a time in a thread worker, its log streamed to the Log pane.

The worker gets a `BatchingSink`: lines are gathered and posted as one `JobOutput` message at
most every 50 ms (and flushed by a timer in between), so an action printing ten thousand lines
costs the UI a few hundred messages, not ten thousand. Output messages are never dropped or
coalesced; progress reports are: only the newest travels with the next batch. Cancel sets the
job's `CancelToken`; the action stops at its next check, and a running statement or child
process is interrupted through the token's callbacks.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from textual.app import App

from wttui.core.logsink import CancelToken, LogSink
from wttui.core.urls import mask_secrets
from wttui.ui.messages import JobFinished, JobOutput, Progress

BATCH_SECONDS = 0.05

Call = Callable[[LogSink, CancelToken], object]


class BatchingSink(LogSink):
    """A thread-safe `LogSink` that posts batches of lines to the app."""

    def __init__(self, app: App[None], job_id: int, secrets: tuple[str, ...] = ()) -> None:
        self._app = app
        self._job_id = job_id
        self._secrets = secrets
        self._lock = threading.Lock()
        self._buffer: list[tuple[str, str]] = []
        self._progress: Progress | None = None
        """The newest progress report not posted yet."""
        self._last_post = 0.0

    def step(self, text: str) -> None:
        self._add("step", text)

    def line(self, text: str, *, stream: str = "out") -> None:
        self._add(stream, text)

    def progress(self, done: int, total: int | None, label: str = "") -> None:
        with self._lock:
            self._progress = (done, total, label)
            if time.monotonic() - self._last_post >= BATCH_SECONDS:
                self._flush_locked()

    def _add(self, stream: str, text: str) -> None:
        with self._lock:
            self._buffer.append((stream, mask_secrets(text, self._secrets)))
            if time.monotonic() - self._last_post >= BATCH_SECONDS:
                self._flush_locked()

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if self._buffer or self._progress is not None:
            self._app.post_message(JobOutput(self._job_id, self._buffer, self._progress))
            self._buffer = []
            self._progress = None
        self._last_post = time.monotonic()


@dataclass
class Job:
    """The running action."""

    job_id: int
    title: str
    sink: BatchingSink
    cancel: CancelToken = field(default_factory=CancelToken)
    started: float = field(default_factory=time.monotonic)
    worktree: Path | None = None
    """The worktree the action touches: only it is re-read afterwards."""


class JobRunner:
    """Starts actions in a thread worker, one at a time."""

    def __init__(self, app: App[None], secrets: tuple[str, ...] = ()) -> None:
        self._app = app
        self._ids = itertools.count(1)
        self.secrets = secrets
        """Masked in every line an action prints (set once the repository is loaded)."""
        self.current: Job | None = None

    @property
    def busy(self) -> bool:
        return self.current is not None

    def start(self, title: str, call: Call, *, worktree: Path | None = None) -> Job | None:
        """Run `call(sink, cancel)` in a worker; None when another action is running."""
        if self.current is not None:
            return None
        job_id = next(self._ids)
        job = Job(job_id, title, BatchingSink(self._app, job_id, self.secrets), worktree=worktree)
        self.current = job

        def body() -> None:
            error: Exception | None = None
            try:
                call(job.sink, job.cancel)
            except Exception as exc:  # every failure is reported, typed or not
                error = exc
            job.sink.flush()
            duration = time.monotonic() - job.started
            self._app.post_message(JobFinished(job.job_id, job.title, error, duration))

        self._app.run_worker(
            body, name=title, group="job", thread=True, exit_on_error=False, description=title
        )
        return job

    def finished(self, job_id: int) -> Job | None:
        """Forget the job that ended (called on `JobFinished`)."""
        job = self.current
        if job is not None and job.job_id == job_id:
            self.current = None
            return job
        return None

    def flush(self) -> None:
        """Timer tick: push out lines gathered since the last batch."""
        if self.current is not None:
            self.current.sink.flush()

    def cancel(self) -> bool:
        """Ask the running action to stop; False when none runs."""
        if self.current is None:
            return False
        self.current.cancel.cancel()
        return True
