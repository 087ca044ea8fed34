"""The worktrees' env files: which keys wttui manages in them, rendered from the worktree's env
template (`[env] template`) or set key by key, and planning and writing them.

One `EnvFiles` per repository, built by `Services` (`services.env`); it knows the `[env]`
section, the project's name and git (a create reads the template from the commit it checks
out). `Services.context` asks it for the values a worktree's env file should hold; actions
write through it. Nothing here imports Textual.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from wttui.config import EnvConfig
from wttui.core.models import DbTarget
from wttui.core.naming import worktree_slug
from wttui.core.urls import url_parts, url_secrets
from wttui.providers.envfile import EnvChange, write_change
from wttui.providers.git import GitProvider
from wttui.providers.server import data_dir

if TYPE_CHECKING:
    from wttui.providers.env_template import Rendered
    from wttui.services import WorktreeContext


class EnvFiles:
    """The env files of one repository's worktrees (`[env]`)."""

    def __init__(self, settings: EnvConfig, project: str, git: GitProvider) -> None:
        self.settings = settings
        self.project = project
        self.git = git

    def path(self, worktree_path: Path) -> Path:
        """The worktree's env file (`[env] file` in its root)."""
        return worktree_path / self.settings.file

    def values(self, target: DbTarget, worktree_label: str) -> dict[str, str]:
        """Every env key wttui manages for a worktree, rendered (none for a worktree with no
        database: it gets no key)."""
        if target.none:
            return {}
        values = {self.settings.url_key: target.url}
        if target.container:  # the seed recipe's keys for a container per worktree
            values["DB_PORT"] = url_parts(target.url)["port"]
            # A compose-made container belongs to its compose project (`docker compose -p`).
            values["COMPOSE_PROJECT_NAME"] = target.compose_project or target.container
        fields = self.fields(target, worktree_label)
        for key, template in self.settings.keys.items():
            values[key] = template.format(**fields)
        return values

    def fields(self, target: DbTarget, worktree_label: str) -> dict[str, str]:
        """The `{fields}` of `[env.keys]` and of the env template, for one worktree."""
        return {
            **url_parts(target.url),
            "url": target.url,
            "project": self.project,
            "worktree": worktree_slug(worktree_label),
            "branch": worktree_label,
            # libpq rejects Prisma's `?schema=`: its clients get `options=-csearch_path=…`.
            "libpq_url": target.connect_url,
            "pgoptions": f"-c search_path={target.schema}" if target.schema else "",
        }

    def template(self, worktree_path: Path) -> str | None:
        """The worktree's env template (`[env] template`), None when none is configured or
        this checkout has none (an older branch: its env file keeps the per-key way).

        Raises:
            EnvFileError: the template cannot be read as text.
        """
        name = self.settings.template
        if not name:
            return None
        path = worktree_path / name
        if not path.exists():
            return None
        from wttui.providers.envfile import read_text

        return read_text(path)

    def rendered(self, target: DbTarget, label: str, template: str) -> Rendered:
        """The env file's part rendered from `template` (its values: the managed keys).

        Raises:
            InvalidInput: the template names an unknown field or a value cannot be written.
        """
        from wttui.providers.env_template import render

        return render(
            template,
            self.fields(target, label),
            self.values(target, label),
            name=self.settings.template,
        )

    def managed(self, worktree_path: Path, target: DbTarget, label: str) -> dict[str, str]:
        """The keys the worktree's env file should hold: from its template when it has one,
        except the keys its user sets below wttui's marker (theirs); else `values`."""
        values = self.values(target, label)
        if target.none or not self.settings.template:
            return values
        from wttui.errors import WttuiError
        from wttui.providers.env_template import user_keys
        from wttui.providers.envfile import read_text

        try:
            template = self.template(worktree_path)
            if template is None:
                return values
            values = self.rendered(target, label, template).values
            mine = user_keys(read_text(self.path(worktree_path)))
        except WttuiError:
            return values  # said when the file is written; a read never fails for it
        return {key: value for key, value in values.items() if key not in mine}

    def plan(
        self, context: WorktreeContext, *, text: str | None = None, ref: str | None = None
    ) -> tuple[EnvChange, dict[str, str]]:
        """What writing the worktree's env file does, changing nothing — rendered from its
        template, or its managed keys set — and the managed values it then holds. `text` and
        `ref` stand for the file and the template when the worktree is not on disk yet (a
        create reads them from the commit it checks out).

        Raises:
            EnvFileError, InvalidInput: the file or the template cannot be used.
        """
        from wttui.providers.env_template import plan_rendered, user_keys
        from wttui.providers.envfile import plan_env, read_text

        target = context.target
        if target.none:
            return plan_env(context.env_file, {}, text=text), {}
        name = self.settings.template
        if ref is not None:
            template = self.git.text_at(ref, name) if name else None
        else:
            template = self.template(context.worktree.path)
        if template is None:
            values = self.values(target, context.label)
            return plan_env(context.env_file, values, text=text), values
        rendered = self.rendered(target, context.label, template)
        old = read_text(context.env_file) if text is None else text
        mine = user_keys(old)
        values = {key: value for key, value in rendered.values.items() if key not in mine}
        return plan_rendered(context.env_file, rendered, old), values

    def write(self, context: WorktreeContext, *, force: bool = False) -> EnvChange:
        """Set the managed keys in the worktree's env file (every other line kept), or render
        it from its template (the user's lines below wttui's marker kept).

        Raises:
            EnvConflict: a key holds a hand-set value and not `force`; nothing is written.
        """
        from wttui.providers.env_record import EnvRecord

        record = EnvRecord(data_dir())
        change = write_change(
            self.plan(context)[0],
            force=force,
            secrets=url_secrets(context.target.url),
            within=context.worktree.path,
            backup_dir=record.backup_dir,
        )
        record.remember(context.env_file, context.env_values, label=context.label)
        return change

    def read(self, env_file: Path) -> dict[str, str]:
        """The env file's values now (empty when it is missing)."""
        from wttui.providers.envfile import read_env

        return read_env(env_file)

    def keep_out_of_git(self, worktree_path: Path) -> Path | None:
        """Put the env file's pattern into the repository's `info/exclude` unless git ignores
        it already (F15). Returns the exclude file when it was added now (say so once)."""
        from wttui.providers.git_files import exclude

        return exclude(worktree_path, self.settings.file)
