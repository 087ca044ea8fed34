"""The seeds' settings: `[worktrees."X"] strategy = "none"` and `port`, `[env] template`, and the
`{libpq_url}`/`{pgoptions}` fields, validated with the file, the key and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from wttui import config
from wttui.errors import ConfigError


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("WTTUI_CONFIG", raising=False)


def load(tmp_path: Path, text: str) -> config.Config:
    (tmp_path / ".wttui.toml").write_text(text)
    return config.load(tmp_path)


def test_none_and_pins_are_read(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        '[worktrees."epic4"]\nstrategy = "none"\n[worktrees."main"]\nport = 5432\n'
        '[env]\ntemplate = ".env.template"\n[env.keys]\nP = "{libpq_url}"\nO = "{pgoptions}"\n',
    )
    assert loaded.strategy_for("epic4") == "none"
    assert loaded.strategy_for("main") == "database"
    assert loaded.pinned_ports() == {"main": 5432}
    assert loaded.env.template == ".env.template"


def test_the_project_may_default_to_no_database(tmp_path: Path) -> None:
    loaded = load(tmp_path, '[database]\nstrategy = "none"\nname = "{project}_{worktree}"\n')
    assert loaded.strategy_for("anything") == "none"


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ('[worktrees."m"]\nport = "5432"\n', 'worktrees."m".port', "must be a port number"),
        ('[worktrees."m"]\nport = 0\n', 'worktrees."m".port', "must be a port number"),
        ('[worktrees."m"]\nport = 70000\n', 'worktrees."m".port', "must be a port number"),
        ('[worktrees."m"]\nport = true\n', 'worktrees."m".port', "must be a port number"),
        ('[worktrees."m"]\nstrategy = "nothing"\n', 'worktrees."m".strategy', "not supported"),
        ('[env]\ntemplate = ".env"\n', "env.template", "must be another file"),
        ('[env]\ntemplate = "../x"\n', "env.template", "relative path inside the worktree"),
        ('[env.keys]\nX = "{libpq}"\n', "env.keys.X", "unknown field {libpq}"),
    ],
)
def test_bad_values_say_where_and_why(tmp_path: Path, text: str, key: str, reason: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, text)
    assert key in raised.value.message
    assert reason in raised.value.message
