"""What an action will do, decided before it runs: the plans the CLI and the app show and confirm.

A plan is made by `wttui.plans` (which holds every rule: a plan that exists is allowed), shown
(`wttui.present_plans.describe`), confirmed when it says so, and executed by `wttui.actions`.
Neither the CLI nor the app repeats a rule: they only plan, show, confirm and execute.
`--dry-run` stops after showing. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from wttui.core.models import DbTarget, MigrationStatus, Worktree


@dataclass(frozen=True)
class Confirmation:
    """The question a destructive plan needs answered before it runs."""

    question: str
    """One sentence naming what will be lost, where (`Drop database shop_feat_x on …?`)."""
    typed: str | None = None
    """The name the user must type (drops, resets, anything on a shared database); None: y/n."""
    yes: str = "Yes"
    """The confirm button's label in the app (`Remove`, `Roll back`)."""


@dataclass(frozen=True)
class EnvEdit:
    """One managed key of the worktree's env file and what the plan does to it."""

    key: str
    old: str | None
    """Its value now (None: unset). May hold a password: show it through `mask_secrets`."""
    new: str

    @property
    def changes(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class CreatePlan:
    """`create`: a worktree (new, or one made outside wttui), its database, `.env`, migrations."""

    branch: str
    base: str | None
    path: Path
    target: DbTarget
    env_file: Path
    env_edits: tuple[EnvEdit, ...] = ()
    existing_branch: bool = False
    worktree: Worktree | None = None
    """The worktree when it already exists (made with `git worktree add`, or a create that
    stopped half way); None: the plan adds it."""
    resuming: bool = False
    """A create of this worktree started and did not finish: this one finishes it."""
    database_exists: bool = False
    adopt: bool = False
    """Use an existing database that no worktree owns (asked for explicitly)."""
    force_env: bool = False
    """Overwrite hand-set values in the env file (asked for explicitly)."""
    confirmation: Confirmation | None = None
    source: Worktree | None = None
    """`--from`: the worktree whose data the new database starts from (else: migrations)."""
    source_target: DbTarget | None = None
    template_cache: bool = False
    """The template cache may give the database (a clone of the nearest template)."""
    seeds: bool = False
    """Seeds run after the migrations (`[seeds]` is configured)."""
    record_strategy: str | None = None
    """A strategy to remember for the branch in the repository's git config before anything
    else (`--no-db` records `none`); None: nothing to record."""
    env_template: str | None = None
    """The template the env file is rendered from (`[env] template`), when this checkout has
    one."""
    finish_checkout: bool = False
    """The worktree's `git worktree add` was stopped half way (git's lock still says
    `initializing`): its files are checked out and it is unlocked first."""


@dataclass(frozen=True)
class RemovePlan:
    """`remove`: the worktree goes; its database is dropped, or kept and why."""

    worktree: Worktree
    target: DbTarget | None
    database_exists: bool
    shared_with: tuple[str, ...]
    sessions: int
    will_drop: bool
    keep_db: bool = False
    force: bool = False
    overrides: tuple[str, ...] = ()
    """What `force` overrides (uncommitted changes discarded, sessions ended), to show."""
    confirmation: Confirmation | None = None
    trash: bool = False
    """The database goes to the trash (`wttui undo` brings it back) instead of being dropped."""


@dataclass(frozen=True)
class ResetPlan:
    """`reset`: drop, re-create and migrate the worktree's own database."""

    worktree: Worktree
    target: DbTarget
    database_exists: bool
    sessions: int = 0
    force: bool = False
    overrides: tuple[str, ...] = ()
    confirmation: Confirmation | None = None
    trash: bool = False
    """The old database goes to the trash instead of being dropped."""
    snapshot_first: bool = False
    """A snapshot is taken first (`[snapshots] before_destructive`)."""


@dataclass(frozen=True)
class MigratePlan:
    """`migrate`: the pending migrations the worktree's tool will apply."""

    worktree: Worktree
    target: DbTarget
    tool: str
    pending: tuple[MigrationStatus, ...]
    confirmation: Confirmation | None = None
    lint_note: str | None = None
    """Why the pending migrations carry no lock-safety findings (squawk missing or failing);
    None: they were linted (each one's `lint`), or lint is off."""


@dataclass(frozen=True)
class RollbackPlan:
    """`rollback`: the migrations the tool will revert, newest first."""

    worktree: Worktree
    target: DbTarget
    tool: str
    reverts: tuple[MigrationStatus, ...]
    shared_with: tuple[str, ...] = ()
    confirmation: Confirmation | None = None


@dataclass(frozen=True)
class ResolvePlan:
    """`resolve`: one migration marked applied or rolled back without running it, the way its
    tool marks it (its own command, or its own rows written as it writes them)."""

    worktree: Worktree
    target: DbTarget
    tool: str
    migration: MigrationStatus
    applied: bool
    """True: `--applied`; False: `--rolled-back`."""
    belief: str
    """What the tool will believe afterwards."""
    command: tuple[str, ...] | None = None
    """The tool's own command, run in the worktree with its env; None: `how`."""
    how: str = ""
    """The rows wttui writes for a tool that has no command for it."""
    shared_with: tuple[str, ...] = ()
    confirmation: Confirmation | None = None


@dataclass(frozen=True)
class ExecPlan:
    """`exec`: a command run in the worktree with its database env."""

    worktree: Worktree
    target: DbTarget
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    """The managed keys the command gets on top of the caller's env (holds a password)."""
    shared_with: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()
    confirmation: Confirmation | None = None
    libpq: tuple[str, ...] = ()
    """What the command gets for libpq clients on top of the env file's keys, in words (the
    schema strategy: `PGOPTIONS`, and the URL in libpq's form for `psql` and friends)."""


@dataclass(frozen=True)
class ContainerPlan:
    """`start`, `stop`, `restart`, `logs`: one worktree's container."""

    verb: str
    worktree: Worktree
    target: DbTarget
    confirmation: Confirmation | None = None


from wttui.core.plans_lifecycle import LifecyclePlan  # noqa: E402 - after Confirmation

Plan = (
    CreatePlan
    | RemovePlan
    | ResetPlan
    | MigratePlan
    | RollbackPlan
    | ExecPlan
    | ContainerPlan
    | ResolvePlan
    | LifecyclePlan
)
"""Every plan the CLI and the app show, confirm and execute."""
