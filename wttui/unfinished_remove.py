"""A remove that stopped between removing the worktree and dropping its database, recorded so
that running the same remove again finishes it (issue 13: "re-running finishes the rest").

`remove` takes the worktree away first (git refuses when it has changes the plan did not see,
and then nothing is dropped), then drops the database. Killed in between, the worktree is gone
and with it everything that named the database — so before git removes it, the action writes
a small record in the repository's git common dir (`wttui/removing/<folder>.json`: branch,
path, `--keep-db`), and deletes it once the database is dropped. `plan_remove`, given a branch
or path that no worktree has any more, looks for that record and plans what is left: dropping
the database (with every rule a remove has: sharing, open sessions, the typed name).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from wttui.core.models import Worktree
from wttui.core.naming import worktree_dirname

if TYPE_CHECKING:
    from wttui.services import Services

FOLDER = "removing"
REASON = "removed by a wttui remove that stopped before dropping its database"


def _folder(services: Services) -> Path:
    return services.git.common_dir / "wttui" / FOLDER


def _record(services: Services, worktree: Worktree) -> Path:
    return _folder(services) / f"{worktree_dirname(worktree.label)}.json"


def begin(services: Services, worktree: Worktree) -> None:
    """Record that `worktree` is being removed and its database is to be dropped."""
    path = _record(services, worktree)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"branch": worktree.branch, "path": str(worktree.path)}))
    tmp.replace(path)


def done(services: Services, worktree: Worktree) -> None:
    """The remove of `worktree` finished: forget it."""
    _record(services, worktree).unlink(missing_ok=True)


def find(services: Services, ref: str) -> Worktree | None:
    """The worktree an unfinished remove took away, named by its branch, path or folder; as a
    prunable worktree (its directory and git's record of it are gone). None: no such remove."""
    folder = _folder(services)
    if not folder.is_dir():
        return None
    wanted = Path(ref).expanduser()
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text())
            branch, where = record.get("branch"), Path(str(record["path"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if ref in (branch, where.name) or (wanted.is_absolute() and wanted == where):
            if where.exists():
                continue  # something lives there again: not what the record is about
            return Worktree(path=where, branch=branch, head="", prunable=True, prune_reason=REASON)
    return None
