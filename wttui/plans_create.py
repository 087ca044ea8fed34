"""The plan of `wttui create` (and of the app's create dialog): a worktree for a branch with its
own database, env file and migrations — or none (`--no-db`). See `plans.py` for how plans work.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from wttui.config import worktrees_dir_problem
from wttui.core.models import NO_DATABASE, DbTarget, Worktree
from wttui.core.naming import check_branch_name, check_schema_name
from wttui.core.plans import CreatePlan, EnvEdit
from wttui.core.urls import url_secrets
from wttui.errors import EnvConflict, InvalidInput, Refused, give_it_one
from wttui.providers.envfile import EnvChange, check_values, parse_env
from wttui.strategies.base import unowned

if TYPE_CHECKING:
    from wttui.services import Services

CREATE_MARKER = "wttui-create-pending"
"""Left in a worktree's git admin directory while a create is under way; a create of the same
branch that finds it finishes the work instead of refusing."""


def create_marker(services: Services, worktree_path: Path) -> Path | None:
    """Where the resume marker of a create of `worktree_path` lives (None: main worktree)."""
    admin = services.git.admin_dir(worktree_path)
    return admin / CREATE_MARKER if admin else None


def plan_create(
    services: Services,
    branch: str,
    *,
    base: str | None = None,
    adopt: bool = False,
    force_env: bool = False,
    no_db: bool = False,
) -> CreatePlan:
    """A worktree for `branch` with its own database, env file and migrations.

    A branch whose worktree was made outside wttui (or by a create that stopped half way) gets
    its database provisioned instead of a second worktree. With `no_db` (or a branch whose
    strategy is `none`) the worktree gets no database, no env key and no migrations; `no_db`
    is recorded in the repository's git config so that every later command agrees.

    Raises:
        InvalidInput: invalid branch name or base; the branch already has a worktree with its
            database; the worktree's folder is taken.
        AdoptableDatabase: the database exists and belongs to no worktree (plan with `adopt`).
        EnvConflict: the env file holds a hand-set value (plan with `force_env`).
        DatabaseUnavailable: the server cannot be reached.
    """
    check_branch_name(branch)
    git = services.git
    entries = git.entries()
    existing = next((entry for entry in entries if entry.branch == branch), None)
    worktree = git.read(existing) if existing is not None else None
    resuming = False
    if worktree is not None:
        path = worktree.path
        marker = create_marker(services, path)
        resuming = marker is not None and marker.exists()
        existing_branch = True
        checkout = branch
    else:
        path = services.worktree_path_for(branch)
        taken = next((entry for entry in entries if entry.path == path), None)
        if taken is not None:
            raise InvalidInput(f"{path} is already the worktree of {taken.label}")
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise InvalidInput(f"{path} already exists and is not empty")
        if problem := worktrees_dir_problem(path):
            raise InvalidInput(f"Cannot make a worktree at {path}: {problem}")
        if base is not None and not git.commit_exists(base):
            raise InvalidInput(f"Unknown base ref {base!r}")
        existing_branch = git.branch_exists(branch)
        if existing_branch and base is not None:
            raise InvalidInput(
                f"Branch {branch} already exists; leave out the base to check it out"
            )
        checkout = branch if existing_branch else (git.remote_branch(branch) or base or "HEAD")
    was_none = services.config.strategy_for(branch) == NO_DATABASE
    strategy = services.strategy(NO_DATABASE) if no_db else services.strategy_for(branch)
    target = strategy.plan(branch)
    if target.none and worktree is not None and not resuming and was_none:
        raise InvalidInput(
            f"Branch {branch} already has a worktree at {worktree.path} (with no database)",
            hint=give_it_one(branch),
        )
    if target.schema is not None:
        check_schema_name(target.schema)
    if target.port_clash:  # a pinned port never moves: who holds it is said instead
        raise Refused(
            f"Cannot make the container of {branch}: {target.port_clash}",
            hint=f'stop it, or pin another port ([worktrees."{branch}"] port)',
        )
    wanted = services.env_values(target, branch)
    check_values(wanted)  # a value no .env dialect keeps literal: refused before anything
    exists = strategy.info(target) is not None
    if worktree is not None and exists and not resuming and not target.shared:
        raise InvalidInput(
            f"Branch {branch} already has a worktree at {worktree.path} "
            f"with database {target.label}",
            hint="`wttui migrate` updates its database",
        )
    if exists and not (adopt or resuming or target.shared):
        raise unowned(target)
    env_file = services.env_path(path)
    text = None if worktree is not None else git.text_at(checkout, services.config.env.file) or ""
    ahead = Worktree(path=path, branch=branch, head="")
    change, wanted = services.env.plan(
        services.context(worktree or ahead, target=target, label=branch),
        text=text,
        ref=None if worktree is not None else checkout,
    )
    current = parse_env(change.old_text)
    edits = tuple(EnvEdit(key, current.get(key), value) for key, value in wanted.items())
    if change.conflicts and not force_env:
        raise EnvConflict(
            f"{env_file} already sets {', '.join(change.conflicts)} to a different value",
            diff=change.diff(url_secrets(target.url)),
            hint="overwrite it with --force",
        )
    return CreatePlan(
        branch=branch,
        base=base,
        path=path,
        target=target,
        env_file=env_file,
        env_edits=edits,
        existing_branch=existing_branch,
        worktree=worktree,
        resuming=resuming,
        database_exists=exists,
        adopt=adopt or resuming,
        force_env=force_env,
        template_cache=services.config.database.template_cache
        and target.strategy == "database"
        and not exists,
        seeds=bool(services.config.seeds.files or services.config.seeds.command),
        record_strategy=NO_DATABASE if no_db and not was_none else None,
        env_template=services.config.env.template if _templated(change, target) else None,
        finish_checkout=existing is not None and existing.unfinished,
    )


def _templated(change: EnvChange, target: DbTarget) -> bool:
    from wttui.providers.env_template import MARKER

    return not target.none and MARKER in change.new_text
