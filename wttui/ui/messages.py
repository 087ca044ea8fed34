"""Messages between workers, panes and the app: facts in the past tense, requests imperative.

Workers post facts (`SnapshotLoaded`, `JobOutput`, `JobFinished`); panes and screens post
requests (`RunAction`) up to the app, which is the only place that starts workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the models load with the first data, not before the first frame (P1)
    from wttui.core.models import RepoSnapshot


@dataclass
class SnapshotLoaded(Message):
    """A refresh finished; `generation` lets the app drop results older than one it has."""

    snapshot: RepoSnapshot
    generation: int


@dataclass
class RefreshFailed(Message):
    """A refresh could not even list the worktrees (no toast: a badge on the pane)."""

    error: str
    generation: int


@dataclass
class DriftLoaded(Message):
    """The drift report as it concerns one worktree: a line per finding."""

    worktree: Path
    lines: list[str]


@dataclass
class WatchedPathsChanged(Message):
    """`.git/worktrees`, a HEAD or index, a migrations folder or an env file changed on disk."""

    paths: set[Path]


Progress = tuple[int, "int | None", str]
"""A progress report: `(done, total, label)`; total None takes the bar away (`LogSink`)."""


@dataclass
class JobOutput(Message):
    """A batch of log lines of the running action: `(stream, text)`; stream `step` is a step.
    `progress`: the newest progress report since the last batch, if any."""

    job_id: int
    lines: list[tuple[str, str]]
    progress: Progress | None = None


@dataclass
class JobFinished(Message):
    """The running action ended: `error` is None on success."""

    job_id: int
    title: str
    error: Exception | None
    duration: float


@dataclass
class RunAction(Message):
    """A request from a pane or screen to run an app action by its id (`migrate`, `create`…)."""

    action: str
