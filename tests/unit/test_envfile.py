"""F20: the env file keeps every other line, writes atomically, and never silently overwrites."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from wttui.errors import EnvConflict
from wttui.providers.envfile import read_env, write_env

URL = "postgresql://postgres:s3cret@127.0.0.1:5433/myapp_auth"


def test_new_file_gets_the_keys(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    write_env(env, {"DATABASE_URL": URL, "DB_PORT": "5433"})
    assert read_env(env) == {"DATABASE_URL": URL, "DB_PORT": "5433"}
    assert stat.S_IMODE(env.stat().st_mode) == 0o600


def test_other_lines_and_comments_are_kept(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    original = "# app settings\nexport SECRET_KEY='abc def'\n\nDEBUG=1 # inline\n"
    env.write_text(original)
    backup = tmp_path / "data" / "env.bak"
    backup.parent.mkdir()
    write_env(env, {"DATABASE_URL": URL}, backup=backup)
    text = env.read_text()
    assert text.startswith(original)
    assert read_env(env)["SECRET_KEY"] == "abc def"
    assert read_env(env)["DEBUG"] == "1"
    assert backup.read_text() == original
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env", "data"]  # nothing beside it


def test_hand_set_value_is_not_overwritten_without_force(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("export DATABASE_URL=postgresql://me:mine@db:5432/handmade\nA=1\n")
    before = env.read_text()
    with pytest.raises(EnvConflict) as info:
        write_env(env, {"DATABASE_URL": URL}, secrets=("s3cret",))
    assert env.read_text() == before
    assert "DATABASE_URL" in info.value.message
    assert "+export DATABASE_URL=postgresql://postgres:***@" in info.value.diff
    assert "mine" not in info.value.diff
    assert "s3cret" not in info.value.diff
    write_env(env, {"DATABASE_URL": URL}, force=True)
    assert env.read_text() == f"export DATABASE_URL={URL}\nA=1\n"


def test_same_value_is_a_no_op(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    write_env(env, {"DATABASE_URL": URL})
    change = write_env(env, {"DATABASE_URL": URL}, backup=tmp_path / "env.bak")
    assert not change.changed
    assert not (tmp_path / "env.bak").exists()


def test_values_needing_quotes_round_trip(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    write_env(env, {"X": 'a b "c" #d'})
    assert read_env(env)["X"] == 'a b "c" #d'
