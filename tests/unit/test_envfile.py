"""F20: the env file keeps every other byte, is parsed as python-dotenv parses it, is written
0600 with values no loader (or `sh`) reads differently, and never silently overwrites."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from dotenv import dotenv_values

from wttui.errors import EnvConflict, EnvFileError, InvalidInput, Refused
from wttui.providers.envfile import plan_env, read_env, write_env

URL = "postgresql://postgres:s3cret@127.0.0.1:5433/myapp_auth"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_gets_the_keys(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    write_env(env, {"DATABASE_URL": URL, "DB_PORT": "5433"})
    assert read_env(env) == {"DATABASE_URL": URL, "DB_PORT": "5433"}
    assert mode(env) == 0o600


def test_other_lines_and_comments_are_kept_and_no_backup_lands_beside(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    original = "# app settings\nexport SECRET_KEY='abc def'\n\nDEBUG=1 # inline\n"
    env.write_text(original)
    write_env(env, {"DATABASE_URL": URL})
    text = env.read_text()
    assert text.startswith(original)
    assert read_env(env)["SECRET_KEY"] == "abc def"
    assert read_env(env)["DEBUG"] == "1"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env"]


def test_the_previous_content_goes_to_the_directory_the_caller_names(tmp_path: Path) -> None:
    env, backups = tmp_path / ".env", tmp_path / "data" / "env-backups"
    env.write_text("A=1\n")
    change = write_env(env, {"DATABASE_URL": URL}, backup_dir=backups)
    assert change.backup is not None
    assert change.backup.parent == backups
    assert change.backup.read_text() == "A=1\n"
    assert mode(change.backup) == 0o600
    assert mode(backups) == 0o700


def test_hand_set_value_is_not_overwritten_without_force(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "API_KEY=sk-live-123\nexport DATABASE_URL=postgresql://me:mine@db:5432/handmade\n"
        "PGPASSWORD=hunter2\nA=1\n"
    )
    before = env.read_bytes()
    with pytest.raises(EnvConflict) as info:
        write_env(env, {"DATABASE_URL": URL, "PGPASSWORD": "s3cret"}, secrets=("s3cret",))
    assert env.read_bytes() == before
    assert "DATABASE_URL" in info.value.message
    diff = info.value.diff
    assert "+export DATABASE_URL=postgresql://postgres:***@127.0.0.1:5433/myapp_auth" in diff
    assert "-export DATABASE_URL=postgresql://me:***@db:5432/handmade" in diff
    # Only the lines wttui changes, masked: never a neighbour, never a password.
    for leaked in ("API_KEY", "sk-live", "A=1", "mine", "s3cret", "hunter2"):
        assert leaked not in diff, leaked
    write_env(env, {"DATABASE_URL": URL}, force=True)
    assert env.read_text() == (
        f"API_KEY=sk-live-123\nexport DATABASE_URL={URL}\nPGPASSWORD=hunter2\nA=1\n"
    )


def test_a_value_with_an_inline_comment_is_the_same_value(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(f"DATABASE_URL={URL} # the auth branch\nB='x' # quoted\n")
    before = env.read_bytes()
    change = write_env(env, {"DATABASE_URL": URL, "B": "x"})
    assert not change.conflicts
    assert not change.changed
    assert env.read_bytes() == before


def test_same_value_is_a_no_op(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    write_env(env, {"DATABASE_URL": URL})
    change = write_env(env, {"DATABASE_URL": URL})
    assert not change.changed
    assert change.mode_before is None


def test_crlf_files_stay_crlf(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_bytes(b"A=1\r\nDATABASE_URL=old\r\nB=2\r\n")
    write_env(env, {"DATABASE_URL": URL, "DB_PORT": "5433"}, force=True)
    data = env.read_bytes()
    assert data.startswith(f"A=1\r\nDATABASE_URL={URL}\r\nB=2\r\n".encode())
    assert b"DB_PORT=5433\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_a_more_open_mode_is_tightened_and_reported(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(f"DATABASE_URL={URL}\n")
    os.chmod(env, 0o644)
    change = write_env(env, {"DATABASE_URL": URL})  # same content: the mode still tightens
    assert change.mode_before == 0o644
    assert mode(env) == 0o600
    os.chmod(env, 0o664)
    change = write_env(env, {"DATABASE_URL": URL, "X": "1"})
    assert change.mode_before == 0o664
    assert mode(env) == 0o600


def test_writes_go_through_a_symlink_inside_the_worktree(tmp_path: Path) -> None:
    real = tmp_path / ".env.development"
    real.write_text("A=1\n")
    env = tmp_path / ".env"
    env.symlink_to(real.name)
    change = write_env(env, {"DATABASE_URL": URL}, within=tmp_path)
    assert env.is_symlink()
    assert change.real_path == real
    assert read_env(real)["DATABASE_URL"] == URL


def test_a_symlink_leading_outside_the_worktree_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared.env"
    shared.write_text("A=1\n")
    worktree = tmp_path / "wt"
    worktree.mkdir()
    (worktree / ".env").symlink_to(shared)
    with pytest.raises(Refused, match="outside"):
        write_env(worktree / ".env", {"DATABASE_URL": URL}, within=worktree)
    assert shared.read_text() == "A=1\n"


def test_an_unreadable_env_file_is_a_typed_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.env"
    bad.write_bytes(b"A=\xff\xfe\n")
    with pytest.raises(EnvFileError, match="not UTF-8") as info:
        read_env(bad)
    assert info.value.path == bad
    assert info.value.exit_code == 2
    folder = tmp_path / "dir.env"
    folder.mkdir()
    with pytest.raises(EnvFileError, match="directory"):
        read_env(folder)
    with pytest.raises(EnvFileError, match="directory"):
        write_env(folder, {"DATABASE_URL": URL})
    assert bad.read_bytes() == b"A=\xff\xfe\n"


HOSTILE = [
    "feat/$(touch$IFS/tmp/pwned-wttui)",
    "feat/`touch /tmp/pwned-wttui`",
    "a;touch /tmp/pwned-wttui",
    "a && touch /tmp/pwned-wttui",
    "x|y>z<w",
    "$HOME and $(id)",
    "it's here",
    "~/not-home",
    "two  spaces # not a comment",
    " leading and trailing ",
    "",
    'say "hi"',
]


@pytest.mark.parametrize("value", HOSTILE)
def test_values_read_back_literally_in_sh_and_python_dotenv(tmp_path: Path, value: str) -> None:
    env = tmp_path / ".env"
    write_env(env, {"VALUE": value})
    assert dotenv_values(env)["VALUE"] == value  # with interpolation, as apps load it
    shell = subprocess.run(
        ["sh", "-c", 'set -a; . ./.env; printf "%s" "$VALUE"'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shell.stdout == value
    assert not Path("/tmp/pwned-wttui").exists()


@pytest.mark.parametrize(
    "value", ["feat/$(touch${IFS}/tmp/x)", "line\nbreak", "back\\slash", "it's $HOME"]
)
def test_values_no_quoting_keeps_literal_are_refused_before_writing(
    tmp_path: Path, value: str
) -> None:
    env = tmp_path / ".env"
    env.write_text("A=1\n")
    with pytest.raises(InvalidInput, match="Cannot write VALUE"):
        plan_env(env, {"VALUE": value})
    with pytest.raises(InvalidInput):
        write_env(env, {"VALUE": value}, force=True)
    assert env.read_text() == "A=1\n"


def test_duplicate_assignments_are_reduced_to_the_one_wttui_sets(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("DATABASE_URL=a\nB=1\nDATABASE_URL=b\n")
    change = write_env(env, {"DATABASE_URL": URL}, force=True)
    assert env.read_text() == f"DATABASE_URL={URL}\nB=1\n"
    assert change.keys == ("DATABASE_URL",)
