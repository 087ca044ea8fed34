"""The template cache (F26): a migrated template database per migration set.

A template's name is a hash of the migration files it holds: digest k hashes the tool, its
apply command, what new databases start from, and the first k migrations (identity and file
bytes) in the tool's order, each digest chained on the one before. So a worktree finds the
newest template whose migrations are a prefix of its own by computing its own chain and asking
the server which of those names exist (one query, no manifest to keep in step): the longest
prefix wins, and only the migrations after it are applied, by the worktree's own tool.

Templates are frozen (`IS_TEMPLATE`, no connections allowed), so no session can be open on one
when it is cloned; the JSON in the database comment says what it holds and how long a replay of
it took, which is what a clone saves. A template is built under its `wttui_tplb_` name from the
nearest one below it and renamed when complete: a half-built one is never cloned, and is
recognised (and pruned) as wttui's own. One build at a time per project (an advisory lock).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from wttui.core.lifecycle_names import BUILDING_PREFIX, TEMPLATE_PREFIX, template_name
from wttui.core.logsink import CancelToken, LogSink
from wttui.migrations.adapter import ApplyContext, LocalMigration
from wttui.migrations.runner import Runner
from wttui.providers.pg_copies import DatabaseCopies, StoredDatabase
from wttui.providers.pg_owners import hand_over

FORMAT = "wttui-template-2"
"""Changes when what a template holds changes meaning: old templates then simply miss (2: built
as the worktrees' own role where wttui owns roles, so a clone is theirs like a replay)."""


def file_digest(path: Path) -> str:
    """sha256 of a migration's file, or of every file under it when it is a folder."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(str(file.relative_to(path) if path.is_dir() else "").encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def chain(local: Sequence[LocalMigration], salt: str) -> list[str]:
    """Digest k-1 names the set of the first k migrations (with everything `salt` says)."""
    current = hashlib.sha256(f"{FORMAT}|{salt}".encode()).hexdigest()
    digests = []
    for migration in local:
        step = f"{current}|{migration.version}|{file_digest(migration.file)}"
        current = hashlib.sha256(step.encode()).hexdigest()
        digests.append(current)
    return digests


def salt_for(runner: Runner, *, start_from: str, seeds: str = "") -> str:
    """What else makes two databases with the same migrations differ: the tool, its apply
    command, the database new ones are copied from, the seeds baked in."""
    command = getattr(runner.executor, "apply_command", ())
    return "|".join((runner.name, " ".join(command), start_from, seeds))


@dataclass(frozen=True)
class Template:
    """One cached template as `wttui templates` lists it."""

    name: str
    size_bytes: int
    count: int
    newest: str
    tool: str
    built_at: datetime | None
    replay_seconds: float | None
    building: bool = False

    @classmethod
    def read(cls, stored: StoredDatabase) -> Template:
        meta = stored.meta
        built = meta.get("built_at")
        replay = meta.get("replay_seconds")
        return cls(
            name=stored.name,
            size_bytes=stored.size_bytes,
            count=int(meta.get("count", 0)),
            newest=str(meta.get("newest", "")),
            tool=str(meta.get("tool", "")),
            built_at=datetime.fromisoformat(built) if isinstance(built, str) else None,
            replay_seconds=float(replay) if isinstance(replay, int | float) else None,
            building=stored.name.startswith(BUILDING_PREFIX),
        )


@dataclass(frozen=True)
class Nearest:
    """The template a worktree would clone: the first `count` of its migrations."""

    template: Template
    count: int
    total: int


@dataclass(frozen=True)
class Built:
    name: str
    count: int
    seconds: float
    from_template: str | None


class TemplateCache:
    """The templates of one project on one server."""

    def __init__(self, copies: DatabaseCopies, project: str) -> None:
        self.copies = copies
        self.project = project
        self._slug = template_name(project, "0" * 16)[len(TEMPLATE_PREFIX) : -17]

    def name(self, digest: str, *, building: bool = False) -> str:
        return template_name(self.project, digest, building=building)

    def listing(self) -> list[Template]:
        """Every template of the project (those being built too), newest first."""
        found = [
            *self.copies.listing(f"{TEMPLATE_PREFIX}{self._slug}_"),
            *self.copies.listing(f"{BUILDING_PREFIX}{self._slug}_"),
        ]
        mine = [db for db in found if db.meta.get("project", self.project) == self.project]
        templates = [Template.read(db) for db in mine]
        return sorted(templates, key=lambda t: (t.built_at is None, t.built_at), reverse=True)

    def nearest(self, digests: Sequence[str]) -> Nearest | None:
        """The template holding the longest prefix of the migrations `digests` name."""
        if not digests:
            return None
        names = [self.name(d) for d in digests]
        existing = self.copies.existing(names)
        for index in range(len(names) - 1, -1, -1):
            if names[index] in existing:
                listed = [t for t in self.listing() if t.name == names[index]]
                if listed:
                    return Nearest(listed[0], index + 1, len(digests))
        return None

    @contextmanager
    def lock(self) -> Iterator[bool]:
        """One build per project at a time, across processes and machines: True when this
        one holds the lock (a session-level advisory lock, freed when the session ends)."""
        seed = hashlib.sha256(f"wttui-templates:{self.project}".encode()).digest()[:8]
        key = int.from_bytes(seed, "big", signed=True)
        with self.copies.provider.connect(autocommit=True) as conn:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            held = bool(row and row[0])
            try:
                yield held
            finally:
                if held:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def build(
        self,
        runner: Runner,
        local: Sequence[LocalMigration],
        salt: str,
        *,
        apply_context: Callable[[str], ApplyContext],
        start_from: str | None,
        clone: Callable[[str, str], float],
        seed: Callable[[str], None] | None = None,
        owner: str | None = None,
        url_for: Callable[[str], str] | None = None,
        sink: LogSink,
        cancel: CancelToken,
    ) -> Built | None:
        """Build the template of `local` (all of it) from the nearest one below it; None when
        it exists already. `apply_context(url)` is who applies (its env pointing at `url`),
        `clone(source, dest)` copies a template, `seed(url)` loads seeds when they belong in
        templates. The caller holds `lock()`.

        `owner`: the role worktrees connect as where wttui owns roles; the template is built
        as it (`url_for(name)` is its URL to a database), so everything in it is the role's
        exactly as in a replayed create, and a clone handed to the role is the role's whole.

        Raises:
            MigrationFailed, Cancelled: the build stopped; its half-built database is dropped.
        """
        digests = chain(local, salt)
        if not digests:
            return None
        final = self.name(digests[-1])
        if self.copies.existing([final]):
            return None
        building = self.name(digests[-1], building=True)
        self.copies.drop(building, force=True)  # a build that died half way
        nearest = self.nearest(digests[:-1])
        started = time.monotonic()
        try:
            if nearest is not None:
                sink.step(
                    f"Template {final}: from {nearest.template.name} "
                    f"({nearest.count} of {len(local)} migrations)"
                )
                clone(nearest.template.name, building)
                if owner:  # a template built before templates were the role's
                    hand_over(self.copies.provider, building, owner, None)
            else:
                sink.step(f"Template {final}: replaying {len(local)} migrations")
                self.copies.provider.create_database(
                    building, template=start_from or None, owner=owner
                )
            url = url_for(building) if url_for else self.copies.provider.url_for(building)
            replay_started = time.monotonic()
            runner.apply(url, context=apply_context(url), sink=sink, cancel=cancel)
            replay = time.monotonic() - replay_started
            if seed is not None:
                seed(url)
            cancel.check()
            self.copies.rename([(building, final)])
        except BaseException:
            self.copies.drop(building, force=True)
            raise
        before = (nearest.template.replay_seconds or 0.0) if nearest else 0.0
        self.copies.freeze(
            final,
            {
                "kind": "template",
                "project": self.project,
                "tool": runner.name,
                "count": len(local),
                "newest": local[-1].version,
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "replay_seconds": round(before + replay, 3),
            },
        )
        source = nearest.template.name if nearest else None
        return Built(final, len(local), time.monotonic() - started, source)

    def prune(self, keep: set[str], *, sink: LogSink) -> list[str]:
        """Drop every template not in `keep` (and leftovers of builds); what was dropped."""
        dropped = []
        for template in self.listing():
            if template.name in keep:
                continue
            sink.line(f"Dropping template {template.name} ({template.count} migrations)")
            if self.copies.drop(template.name, force=True):
                dropped.append(template.name)
        return dropped
