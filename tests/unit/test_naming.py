"""F1 names: sanitised, ≤ 63 bytes, stable and collision-free; branch names checked."""

from __future__ import annotations

import pytest

from wttui.core.naming import (
    MAX_IDENTIFIER_BYTES,
    check_branch_name,
    database_name,
    worktree_slug,
)
from wttui.errors import InvalidInput


def name(label: str, template: str = "{project}_{worktree}", project: str = "myapp") -> str:
    return database_name(template, project=project, label=label)


def test_branch_with_slashes_and_dashes_becomes_a_plain_identifier() -> None:
    assert name("feat/user-auth") == "myapp_feat_user_auth"
    assert name("main", project="My App") == "my_app_main"


def test_names_are_lower_case_and_never_start_with_a_digit() -> None:
    assert name("FIX/Typo") == "myapp_fix_typo"
    assert name("42-answer", template="{worktree}") == "_42_answer"


def test_long_names_are_cut_to_63_bytes_with_a_stable_hash() -> None:
    long_a = "feat/" + "a" * 200
    long_b = "feat/" + "a" * 199 + "b"
    a1, a2, b = name(long_a), name(long_a), name(long_b)
    assert len(a1.encode()) == MAX_IDENTIFIER_BYTES
    assert a1 == a2
    assert a1 != b
    assert a1.startswith("myapp_feat_aaaa")


def test_unicode_branches_stay_distinct() -> None:
    cafe, cafe_accent = name("feat/cafe"), name("feat/café")
    assert cafe == "myapp_feat_cafe"
    assert cafe_accent != cafe
    assert cafe_accent.isascii()
    assert worktree_slug("日本語").startswith("wt_")


def test_unknown_template_field_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="Unknown field {user}"):
        name("main", template="{project}_{user}")


@pytest.mark.parametrize(
    ("branch", "reason"),
    [
        ("has space", "space"),
        ("quote'd", "quote"),
        ('dq"x', "quote"),
        ("a..b", "'..'"),
        ("-flag", "starts with '-'"),
        ("ends/", "ends with"),
        ("x.lock", "ends with"),
        ("a//b", "empty"),
        ("", "empty"),
        ("x" * 241, "bytes long"),
        ("tilde~1", "~"),
    ],
)
def test_invalid_branch_names_say_why(branch: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_branch_name(branch)
    assert reason in info.value.message
    assert info.value.message.startswith("Invalid branch name")


@pytest.mark.parametrize("branch", ["feat/user-auth", "feat/café", "x" * 200, "release/1.2"])
def test_valid_branch_names_pass(branch: str) -> None:
    check_branch_name(branch)
