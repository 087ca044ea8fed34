"""Config: every key defaulted; unknown keys and bad values rejected with file, key and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from wttui import config
from wttui.errors import ConfigError


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("WTTUI_CONFIG", raising=False)


def test_no_file_gives_defaults(tmp_path: Path) -> None:
    repo = tmp_path / "shop"
    repo.mkdir()
    loaded = config.load(repo)
    assert loaded.source is None
    assert loaded.project_name(repo) == "shop"
    assert loaded.database.strategy == "database"
    assert loaded.database.name_for("database") == "{project}_{worktree}"
    assert loaded.database.name_for("shared") == "{project}"
    assert loaded.worktrees_path(repo) == tmp_path / "shop-worktrees"


def test_dotfile_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.wttui.project]\nname = "frompy"\n')
    assert config.load(tmp_path).project.name == "frompy"
    (tmp_path / ".wttui.toml").write_text('[project]\nname = "fromdot"\n')
    assert config.load(tmp_path).project.name == "fromdot"


def test_env_keys_are_read(tmp_path: Path) -> None:
    (tmp_path / ".wttui.toml").write_text(
        '[env]\nfile = ".env.local"\n[env.keys]\nDB_NAME = "{database}"\nDB_PORT = "{port}"\n'
    )
    loaded = config.load(tmp_path)
    assert loaded.env.file == ".env.local"
    assert dict(loaded.env.keys) == {"DB_NAME": "{database}", "DB_PORT": "{port}"}


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ("[projcet]\nname = 'x'\n", "projcet", "unknown section"),
        ("[project]\nnmae = 'x'\n", "project.nmae", "unknown key"),
        ("[project]\nname = 3\n", "project.name", "must be a string"),
        ("[database]\nstrategy = 'magic'\n", "database.strategy", "not supported"),
        ("[database]\nname = '{project}'\n", "database.name", "must contain {worktree}"),
        ("[database]\nname = '{project}_{user}'\n", "database.name", "Unknown field"),
        (
            "[database]\nstrategy = 'shared'\nname = '{project}_{worktree}'\n",
            "database.name",
            "must not contain {worktree}",
        ),
        ("[container]\nports = '80-90'\n", "container.ports", "within 1024-65535"),
        ("[container]\nports = '5433'\n", "container.ports", "is not LOW-HIGH"),
        ("[container]\nready_timeout = 0\n", "container.ready_timeout", "positive whole number"),
        ("[database]\nschema = 'fixed'\n", "database.schema", "must contain {worktree}"),
        ("[database]\nrefuse = 'dropdb'\n", "database.refuse", "list of strings"),
        (
            "[worktrees.'feat/x']\nstrategy = 'nope'\n",
            'worktrees."feat/x".strategy',
            "not supported",
        ),
        ("[worktrees.'feat/x']\nstrat = 'shared'\n", 'worktrees."feat/x".strat', "unknown key"),
        ("[database]\nurl = 'mysql://x'\n", "database.url", "postgresql://"),
        ("[migrations]\ndir = '../elsewhere'\n", "migrations.dir", "relative path"),
        ("[env.keys]\nDB = '{nope}'\n", "env.keys.DB", "unknown field"),
        ("[project\nname=", "", "not valid TOML"),
        # Issue 13, item 8: each one clear line naming the key, never a traceback.
        ("[database]\nurl = 'postgresql://u:pw@h:99999/db'\n", "database.url", "out of range"),
        ("[database]\nurl = 'postgresql://u:pw@h:5x/db'\n", "database.url", "not a number"),
        ("[database]\nurl = 'postgresql://u:p%zz@h/db'\n", "database.url", "hex digits"),
        ("[database]\nurl = 'postgresql://h/db?nope=1'\n", "database.url", "'nope'"),
        ("[database]\nname = '{project}_{worktree'\n", "database.name", "malformed"),
        ("[database]\nschema = 'x_{worktree!r}'\n", "database.schema", "conversion"),
        ("[database]\nrefuse = ['dropdb', ' ']\n", "database.refuse", "at least one word"),
        ("[project]\nworktrees_dir = '../{nope}'\n", "project.worktrees_dir", "{nope}"),
        ("[project]\nworktrees_dir = '../{project'\n", "project.worktrees_dir", "malformed"),
        ("[project]\nname = 'a/b'\n", "project.name", "plain name"),
        ("[project]\nname = '..'\n", "project.name", "plain name"),
        ('[migrations]\napply = "npx \'prisma migrate"\n', "migrations.apply", "command line"),
        ("[migrations]\nrollback = 'a \"b'\n", "migrations.rollback", "command line"),
        ("[env]\nurl_key = ''\n", "env.url_key", "not a variable name"),
        ("[env]\nurl_key = 'DATABASE URL'\n", "env.url_key", "not a variable name"),
        ('[env]\nurl_key = "X\\nEVIL=1"\n', "env.url_key", "not a variable name"),
        ("[env.keys]\n'1X' = '{url}'\n", "env.keys", "not a valid environment variable"),
        ("[env.keys]\nDB = '{url'\n", "env.keys.DB", "malformed"),
        ("[env]\nfile = '.'\n", "env.file", "must name a file"),
    ],
)
def test_bad_config_names_file_key_and_reason(
    tmp_path: Path, text: str, key: str, reason: str
) -> None:
    path = tmp_path / ".wttui.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        config.load(tmp_path)
    message = info.value.message
    assert message.startswith(str(path))
    assert key in message
    assert reason in message


def test_user_file_is_overridden_by_the_repository(tmp_path: Path) -> None:
    user = tmp_path / "xdg" / "wttui" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('[env]\nfile = ".env.mine"\n[project]\nname = "user"\n')
    (tmp_path / ".wttui.toml").write_text('[project]\nname = "team"\n')
    loaded = config.load(tmp_path)
    assert loaded.project.name == "team"
    assert loaded.env.file == ".env.mine"


def test_a_worktree_can_override_the_strategy(tmp_path: Path) -> None:
    (tmp_path / ".wttui.toml").write_text(
        '[database]\nstrategy = "database"\nname = "{project}_{worktree}"\n'
        '[worktrees."hotfix/login"]\nstrategy = "shared"\n'
    )
    loaded = config.load(tmp_path)
    assert loaded.strategy_for("hotfix/login") == "shared"
    assert loaded.strategy_for("feat/other") == "database"
    assert loaded.strategy_for(None) == "database"
    # The project's per-worktree name doesn't suit the shared override: it gets the default.
    assert loaded.database.name_for("shared") == "{project}"


def test_a_non_utf8_config_is_one_error(tmp_path: Path) -> None:
    (tmp_path / ".wttui.toml").write_bytes(b"[project]\nname = '\xff'\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        config.load(tmp_path)


def test_a_config_that_is_a_directory_is_said_so_not_skipped(tmp_path: Path) -> None:
    (tmp_path / ".wttui.toml").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.wttui.project]\nname = "frompy"\n')
    with pytest.raises(ConfigError, match="is a directory"):
        config.load(tmp_path)


@pytest.mark.parametrize(
    ("text", "key"), [('[tool]\nwttui = "x"\n', "tool.wttui"), ('tool = "x"\n', "tool")]
)
def test_pyproject_tool_wttui_must_be_a_table(tmp_path: Path, text: str, key: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ConfigError, match=f"{key}: must be a table"):
        config.load(tmp_path)


def test_worktrees_dir_at_the_filesystem_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".wttui.toml").write_text('[project]\nworktrees_dir = "/"\n')
    with pytest.raises(ConfigError, match="project.worktrees_dir: resolves to /"):
        config.load(tmp_path)


def test_a_bad_url_never_shows_its_password(tmp_path: Path) -> None:
    (tmp_path / ".wttui.toml").write_text('[database]\nurl = "postgresql://u:s3cr%zz@h/db"\n')
    with pytest.raises(ConfigError) as info:
        config.load(tmp_path)
    assert "s3cr" not in str(info.value)


def test_worktrees_dir_problem_names_the_unwritable_parent(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert "not a directory" in (config.worktrees_dir_problem(blocker / "a" / "b") or "")
    assert config.worktrees_dir_problem(tmp_path / "new" / "wt") is None
