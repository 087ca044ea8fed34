"""`--dry-run` on every lifecycle command prints the plan and changes nothing: not git, not the
databases (wttui's own included), not a `.env`, not the snapshots or the trash."""

from __future__ import annotations

import json

import pytest

from tests import steps
from tests.cli.conftest import wttui
from tests.lifecycle.conftest import MakeRepo, rows
from tests.state import fingerprint
from wttui.services import Services

SEEDS = '[seeds]\nfiles = ["seeds/base.sql"]\n'


def _everything(services: Services, admin_url: str) -> tuple[object, ...]:
    root = services.root
    owned = rows(
        admin_url,
        "SELECT datname FROM pg_database WHERE datname LIKE 'wttui\\_%' ORDER BY 1",
    )
    return (
        fingerprint(root, admin_url, services.project),
        [name for (name,) in owned if services.project in str(name)],
        json.loads(wttui(root, "snapshots", "--json").stdout),
        json.loads(wttui(root, "trash", "--json").stdout),
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["snapshot", "feat/a", "--name", "n1"], "snapshot   n1"),
        (["restore", "feat/a", "s0"], "is REPLACED"),
        (["snapshot", "feat/a", "--delete", "s0"], "delete     snapshot s0"),
        (["undo"], "(from remove)"),
        (["trash", "purge", "--older-than", "0"], "purge      database wttui_trash_"),
        (["clone", "feat/a", "feat/b"], "(REPLACED; the old one goes to the trash)"),
        (["seed", "feat/a"], "file       seeds/base.sql"),
        (["rebuild", "feat/a", "--to", "001"], "drop       002_create_orders (applied after"),
        (["templates", "prune"], "prune      nothing"),
        (["create", "feat/c", "--from", "feat/a"], "data       copied from"),
        (["test", "feat/a", "--dry-run", "--", "true"], "command    true"),
    ],
)
def test_dry_run_changes_nothing(
    lc_repo: MakeRepo, pg_admin_url: str, args: list[str], says: str
) -> None:
    services = lc_repo(SEEDS, files={"seeds/base.sql": "SELECT 1;\n"})
    steps.create(services, "feat/a")
    steps.create(services, "feat/b")
    steps.create(services, "feat/gone")
    assert wttui(services.root, "snapshot", "feat/a", "--name", "s0").returncode == 0
    assert wttui(services.root, "remove", "feat/gone", "--yes").returncode == 0
    before = _everything(services, pg_admin_url)
    done = (
        wttui(services.root, *args)
        if args[0] == "test"
        else wttui(services.root, *args, "--dry-run")
    )
    assert done.returncode == 0, done.stderr
    assert "dry run: nothing was changed" in done.stderr
    assert says in done.stdout, done.stdout
    assert _everything(services, pg_admin_url) == before
