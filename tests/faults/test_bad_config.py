"""Bad configuration (issue 13, item 8): one clear line naming the file, the key and the
reason, exit 2, no traceback, no password, and nothing changed — for a read (`status`) and a
write (`create`) alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.scene import Scene, assert_one_error

COMMANDS = (("status",), ("create", "feat/x"))


def _set_url(scene: Scene, url: str) -> None:
    path = scene.root / ".wttui.toml"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(f'url = "{url}"' if ln.startswith("url =") else ln for ln in lines))


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://postgres:{pw}@127.0.0.1:99999/postgres", "out of range"),
        ("postgresql://postgres:{pw}@127.0.0.1:54x/postgres", "not a number"),
        ("postgresql://postgres:{pw}%zz@127.0.0.1:5432/postgres", "two hex digits"),
        ("postgresql://postgres:{pw}@127.0.0.1:5432/postgres?pool=3", "'pool'"),
    ],
)
def test_a_malformed_server_url_is_named_without_its_password(
    scene: Scene, url: str, says: str
) -> None:
    _set_url(scene, url.format(pw=scene.password))
    before = scene.state()
    for command in COMMANDS:
        line = assert_one_error(scene.wttui(*command), 2, says=says, secret=scene.password)
        assert "database.url" in line
        assert scene.state() == before


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        ('[migrations]\napply = "npx \'prisma migrate deploy"\n', "migrations.apply", "quotation"),
        ('[env]\nurl_key = ""\n', "env.url_key", "not a variable name"),
        ('[env]\nurl_key = "DATABASE URL"\n', "env.url_key", "not a variable name"),
        ('[env]\nurl_key = "A\\nEVIL=1"\n', "env.url_key", "not a variable name"),
        ('[env.keys]\nBRANCH = "{branch"\n', "env.keys.BRANCH", "malformed"),
    ],
)
def test_bad_keys_in_other_sections(scene: Scene, text: str, key: str, says: str) -> None:
    scene.config(text)
    before = scene.state()
    for command in COMMANDS:
        line = assert_one_error(scene.wttui(*command), 2, says=says)
        assert key in line
        assert str(scene.root / ".wttui.toml") in line
        assert scene.state() == before


@pytest.mark.parametrize(
    ("project", "says"),
    [
        ('name = "x/y"', "plain name"),
        ('name = "../escape"', "plain name"),
        ('worktrees_dir = "../{nope}"', "unknown field {nope}"),
        ('worktrees_dir = "../{project"', "malformed"),
        ('worktrees_dir = "/"', "filesystem root"),
    ],
)
def test_bad_project_settings(scene: Scene, project: str, says: str) -> None:
    path = scene.root / ".wttui.toml"
    path.write_text(path.read_text().replace("[project]\n", f"[project]\n{project}\n", 1))
    if project.startswith("name"):  # keep one name: drop the generated one
        path.write_text(path.read_text().replace(f'name = "{scene.project}"\n', ""))
    before = scene.state()
    for command in COMMANDS:
        assert_one_error(scene.wttui(*command), 2, says=says)
        assert scene.state() == before


def test_a_database_name_template_with_an_open_brace(scene: Scene) -> None:
    path = scene.root / ".wttui.toml"
    path.write_text(
        path.read_text().replace("[database]\n", '[database]\nname = "{project}_{worktree"\n')
    )
    before = scene.state()
    for command in COMMANDS:
        assert_one_error(scene.wttui(*command), 2, says="database.name: Name template")
        assert scene.state() == before


def test_a_config_file_that_is_not_utf8(scene: Scene) -> None:
    path = scene.root / ".wttui.toml"
    path.write_bytes(path.read_bytes() + b'\n[env]\nfile = "\xff.env"\n')
    before = scene.state()
    for command in COMMANDS:
        assert_one_error(scene.wttui(*command), 2, says="not UTF-8")
        assert scene.state() == before


def test_a_config_file_that_is_a_directory(scene: Scene) -> None:
    path = scene.root / ".wttui.toml"
    path.unlink()
    path.mkdir()
    before = scene.state()
    for command in COMMANDS:
        assert_one_error(scene.wttui(*command), 2, says="is a directory")
        assert scene.state() == before


@pytest.mark.parametrize("text", ['[tool]\nwttui = "x"\n', 'tool = "x"\n'])
def test_a_pyproject_whose_wttui_table_is_not_a_table(scene: Scene, text: str) -> None:
    (scene.root / ".wttui.toml").unlink()
    (scene.root / "pyproject.toml").write_text(text)
    before = scene.state()
    for command in COMMANDS:
        assert_one_error(scene.wttui(*command), 2, says="must be a table")
        assert scene.state() == before


def test_worktrees_dir_under_a_file_is_refused_before_anything_is_made(scene: Scene) -> None:
    (scene.base / "blocker").write_text("not a folder\n")
    path = scene.root / ".wttui.toml"
    path.write_text(
        path.read_text().replace("[project]\n", '[project]\nworktrees_dir = "../blocker/wt"\n')
    )
    before = scene.state()
    assert_one_error(scene.wttui("create", "feat/x"), 2, says="is not a directory")
    assert scene.state() == before
    assert not Path(scene.base / "blocker").is_dir()
