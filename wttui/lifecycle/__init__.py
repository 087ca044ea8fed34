"""A database's whole life around a worktree: the template cache, clones, snapshots, the trash,
seeds (issue 9; DESIGN F23, F24, F26, F27, F37, F40–F42).

`Lifecycle` is built once by `Services` and holds what these need: the server, the project's
folder in wttui's data directory (`projects/<project>-<hash of the repository path>/`: the
trash index and the snapshots), and the Docker engine on first use. The modules below it are
engines that plans and actions call; they never ask anything and never print (a `LogSink`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from wttui.core.naming import sanitize, short_hash
from wttui.lifecycle.snapshots import SnapshotStore
from wttui.lifecycle.trash import TrashIndex
from wttui.providers.pg_copies import DatabaseCopies
from wttui.providers.server import Server, data_dir

if TYPE_CHECKING:
    from wttui.lifecycle.soft_drop import SoftDrops
    from wttui.lifecycle.templates import TemplateCache
    from wttui.providers.docker_engine import DockerProvider


class Lifecycle:
    """The lifecycle engines of one project."""

    def __init__(
        self, *, server: Server, project: str, root: Path, docker: Callable[[], DockerProvider]
    ) -> None:
        self.server = server
        self.project = project
        self.root = root
        self._docker = functools.cache(docker)

    @cached_property
    def folder(self) -> Path:
        """`<data>/projects/<project>-<hash of the main worktree's path>`: two checkouts of one
        project keep apart."""
        return data_dir() / "projects" / f"{sanitize(self.project)}-{short_hash(str(self.root))}"

    def copies(self) -> DatabaseCopies:
        """Whole-database operations on the project's server (starts the embedded one)."""
        return DatabaseCopies(self.server.provider())

    def templates(self) -> TemplateCache:
        from wttui.lifecycle.templates import TemplateCache

        return TemplateCache(self.copies(), self.project)

    @cached_property
    def trash(self) -> TrashIndex:
        return TrashIndex(self.folder)

    def soft_drops(self) -> SoftDrops:
        from wttui.lifecycle.soft_drop import SoftDrops

        return SoftDrops(self.server, self._docker, self.trash)

    @cached_property
    def snapshots(self) -> SnapshotStore:
        return SnapshotStore(self.folder)
