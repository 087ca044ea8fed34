"""Seed 1's best practice 2 (`.env.template`): `[env] template` renders each worktree's whole
`.env` from the template's `{fields}`, keeps the lines its user adds below wttui's marker, and
a template or config that gains a key makes the file stale in `status` until it is rendered
again (what `wttui sync` does), never for good."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

from tests.cli.conftest import on_terminal, wttui
from tests.repo_factory import git, make_repo, write_files
from tests.state import fingerprint
from wttui.providers.env_template import MARKER
from wttui.providers.envfile import read_env
from wttui.services import Services

TEMPLATE = """# Settings of this worktree: rendered by wttui from .env.template
NODE_ENV=development
DATABASE_URL={url}
PSQL_URL={libpq_url}
TITLE="work on {branch}"
"""


def templated_repo(tmp_path: Path, admin_url: str, template: str = TEMPLATE) -> Path:
    root = make_repo(tmp_path, admin_url)
    (root / ".wttui.toml").write_text(
        (root / ".wttui.toml").read_text() + '\n[env]\ntemplate = ".env.template"\n'
    )
    write_files(root, {".env.template": template})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "env template")
    return root


def env_word(root: Path, branch: str) -> str:
    table = wttui(root, "status").stdout.splitlines()
    row = next(line for line in table if line.startswith(branch + " "))
    return row.split()[-2]


def created(root: Path, *args: str) -> Path:
    done = wttui(root, "create", *args)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip().splitlines()[-1])


def test_renders_the_whole_file_and_keeps_the_users_lines(
    tmp_path: Path, pg_admin_url: str
) -> None:
    root = templated_repo(tmp_path, pg_admin_url)
    path = created(root, "feat/t")
    env_file = path / ".env"
    text = env_file.read_text()
    assert text.startswith(TEMPLATE.splitlines()[0] + "\nNODE_ENV=development\n")  # as written
    assert MARKER in text
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    values = read_env(env_file)
    view = json.loads(wttui(root, "status", "--json").stdout)[1]
    assert values["DATABASE_URL"].endswith(f"/{root.name}_feat__t")
    assert values["PSQL_URL"] == values["DATABASE_URL"]
    assert values["TITLE"] == "work on feat/t"
    assert view["env"]["matches"] is True
    # The values are written for sh as well as for dotenv loaders.
    shell = subprocess.run(
        ["sh", "-c", 'set -a; . ./.env; printf "%s|%s" "$TITLE" "$DATABASE_URL"'],
        cwd=path,
        capture_output=True,
        text=True,
    )
    assert shell.stdout == f"work on feat/t|{values['DATABASE_URL']}"

    # The user's own lines below the marker, even one setting a template key, are theirs.
    with env_file.open("a") as handle:
        handle.write("API_TOKEN=abc123\nNODE_ENV=test\n")
    assert env_word(root, "feat/t") == "ok"

    # The template gains a key, the config another: the file is stale, not for good.
    (path / ".env.template").write_text(TEMPLATE + "FEATURE_FLAGS=search,graph\n")
    (root / ".wttui.toml").write_text(
        (root / ".wttui.toml").read_text() + '[env.keys]\nDB_NAME = "{database}"\n'
    )
    assert env_word(root, "feat/t") == "stale"
    services = Services.from_path(root)
    services.env.write(services.context_of("feat/t"))  # what `wttui sync` does for it
    assert env_word(root, "feat/t") == "ok"
    values = read_env(env_file)
    assert values["FEATURE_FLAGS"] == "search,graph"
    assert values["DB_NAME"] == f"{root.name}_feat__t"
    assert values["API_TOKEN"] == "abc123"
    assert values["NODE_ENV"] == "test"  # the user's line still wins
    below = env_file.read_text().split(MARKER, 1)[1]
    assert below == "\nAPI_TOKEN=abc123\nNODE_ENV=test\n"


def test_first_render_over_a_hand_made_env(tmp_path: Path, pg_admin_url: str) -> None:
    """A worktree made with plain git whose `.env` was written by hand: its lines move below
    the marker; a different value for a key the template sets is refused unless forced."""
    root = templated_repo(tmp_path, pg_admin_url)
    path = tmp_path / "hand"
    git(root, "worktree", "add", "-q", "-b", "feat/hand", str(path))
    (path / ".env").write_text(
        "# mine\nSECRET_KEY=s3cret\nDATABASE_URL=postgresql://elsewhere:5432/other\n"
    )
    before = fingerprint(root, pg_admin_url, root.name)
    code, output = on_terminal(root, "create", "feat/hand")
    assert code == 4, output
    assert "already sets DATABASE_URL to a different value" in output
    assert fingerprint(root, pg_admin_url, root.name) == before

    created(root, "feat/hand", "--force")
    text = (path / ".env").read_text()
    rendered, mine = text.split(MARKER)
    assert "elsewhere" not in text
    assert mine == "\n# mine\nSECRET_KEY=s3cret\n"
    assert read_env(path / ".env")["DATABASE_URL"].endswith(f"/{root.name}_feat__hand")


def test_unknown_field_is_one_line_and_makes_nothing(tmp_path: Path, pg_admin_url: str) -> None:
    """Seed 1's own template uses the shell's `${WORKTREE_NAME}`: wttui says what to write."""
    root = templated_repo(
        tmp_path,
        pg_admin_url,
        "DATABASE_URL=postgresql://localhost:5432/myapp_${WORKTREE_NAME}\n",
    )
    before = fingerprint(root, pg_admin_url, root.name)
    done = wttui(root, "create", "feat/x")
    assert done.returncode == 2
    assert "unknown field {WORKTREE_NAME}" in done.stderr
    assert "worktree" in done.stderr  # the known fields are listed
    assert "Traceback" not in done.stderr
    assert fingerprint(root, pg_admin_url, root.name) == before


def test_dry_run_names_the_template(tmp_path: Path, pg_admin_url: str) -> None:
    root = templated_repo(tmp_path, pg_admin_url)
    done = wttui(root, "create", "feat/d", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert ".env       rendered from .env.template (your lines kept)" in done.stdout
    assert ".env       set TITLE=work on feat/d" in done.stdout
