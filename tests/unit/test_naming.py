"""F1 names: valid, ≤ 63 bytes, stable and injective over branch names; branch names checked
exactly as git checks them (plus wttui's few extra refusals)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from wttui.core.naming import (
    MAX_IDENTIFIER_BYTES,
    check_branch_name,
    check_schema_name,
    database_name,
    name_prefix,
    worktree_dirname,
    worktree_slug,
)
from wttui.errors import InvalidInput

IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def name(label: str, template: str = "{project}_{worktree}", project: str = "myapp") -> str:
    return database_name(template, project=project, label=label)


def test_plain_branch_names_map_losslessly_and_readably() -> None:
    assert name("feat/user-auth") == "myapp_feat__user_auth"
    assert name("main", project="My App") == "my_app_main"
    assert worktree_dirname("feat/user-auth") == "feat--user-auth"
    assert worktree_dirname("feat-x") == "feat-x"


def test_names_are_lower_case_and_never_start_with_a_digit() -> None:
    assert name("42-answer", template="{worktree}") == "_42_answer"
    assert name("main", project="42shop") == "_42shop_main"
    assert name_prefix("{project}_{worktree}", project="42shop") == "_42shop_"


@pytest.mark.parametrize(
    "family",
    [
        ("feat/x", "feat-x", "Feat/X", "feat;x", "feat_x", "feat//x", "feat.x", "FEAT-X"),
        ("main", "Main", "MAIN"),
        ("feat/cafe", "feat/café", "feat/CAFE"),
    ],
)
def test_branches_that_used_to_collide_get_distinct_names(family: tuple[str, ...]) -> None:
    for render in (worktree_slug, worktree_dirname, name):
        rendered = [render(label) for label in family]
        assert len(set(rendered)) == len(family), rendered
    # Folder names differ even on a case-insensitive filesystem.
    assert len({worktree_dirname(label).lower() for label in family}) == len(family)


def test_names_other_than_plain_keep_a_readable_part_and_a_hash() -> None:
    assert re.fullmatch(r"main___[0-9a-f]{8}", worktree_slug("Main"))
    assert re.fullmatch(r"feat__cafe___[0-9a-f]{8}", worktree_slug("feat/café"))
    assert re.fullmatch(r"___[0-9a-f]{8}", worktree_slug("日本語"))


def test_long_names_are_cut_to_63_bytes_with_a_stable_hash() -> None:
    long_a = "feat/" + "a" * 200
    long_b = "feat/" + "a" * 199 + "b"
    a1, a2, b = name(long_a), name(long_a), name(long_b)
    assert len(a1.encode()) == MAX_IDENTIFIER_BYTES
    assert a1 == a2
    assert a1 != b
    assert a1.startswith("myapp_feat__aaaa")
    assert re.search(r"___[0-9a-f]{8}$", a1)


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("{project}_{user}", "Unknown field {user}"),
        ("{project}_{worktree", "malformed"),
        ("{project}_worktree}", "malformed"),
        ("{worktree!r}", "format spec or conversion"),
        ("{worktree:>9}", "format spec or conversion"),
    ],
)
def test_bad_templates_are_rejected(template: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(reason)):
        name("main", template=template)


@pytest.mark.parametrize("schema", ["public", "pg_catalog", "pg_toast", "pg_temp_3", "wttui"])
def test_reserved_schemas_are_refused(schema: str) -> None:
    with pytest.raises(InvalidInput, match="reserved"):
        check_schema_name(schema)
    check_schema_name("feat__x")


# -- property: over branch names git accepts --------------------------------------------------

_COMPONENT = st.text(alphabet="abcXYZ019-_.;@+é日", min_size=1, max_size=8)
_BRANCH = st.lists(_COMPONENT, min_size=1, max_size=4).map("/".join)


def _valid(label: str) -> bool:
    try:
        check_branch_name(label)
    except InvalidInput:
        return False
    return True


def _variants(label: str) -> set[str]:
    """Names that sanitise alike: the collisions found by the fault suite."""
    return {
        label,
        label.upper(),
        label.replace("/", "-"),
        label.replace("-", "_"),
        label.replace("/", ";"),
        label.replace("-", "/"),
    }


@settings(max_examples=300, deadline=None)
@given(st.lists(_BRANCH, min_size=1, max_size=25))
def test_names_are_valid_short_and_injective(labels: list[str]) -> None:
    branches = sorted({v for label in labels for v in _variants(label) if _valid(v)})
    assume(branches)
    for template in ("{project}_{worktree}", "{worktree}", "wt_{branch}"):
        names = [name(branch, template=template) for branch in branches]
        for rendered in names:
            assert IDENTIFIER.fullmatch(rendered), rendered
            assert len(rendered.encode()) <= MAX_IDENTIFIER_BYTES
        assert len(set(names)) == len(branches), dict(zip(branches, names, strict=True))
    for render in (worktree_slug, worktree_dirname):
        assert len({render(branch) for branch in branches}) == len(branches)
    assert all(len(worktree_dirname(b).encode()) <= 200 for b in branches)
    for prefix in (name_prefix("{project}_{worktree}", project="myapp"),):
        assert all(name(b).startswith(prefix) for b in branches)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="ab/-", min_size=1, max_size=250), min_size=2, max_size=8))
def test_long_names_stay_injective(labels: list[str]) -> None:
    branches = sorted({label for label in labels if _valid(label)})
    names = [name(b) for b in branches]
    assert all(len(n.encode()) <= MAX_IDENTIFIER_BYTES for n in names)
    assert len(set(names)) == len(branches)


# -- branch names: the same verdict as git ----------------------------------------------------


@pytest.mark.parametrize(
    ("branch", "reason"),
    [
        ("has space", "space"),
        ("quote'd", "quote"),
        ('dq"x', "quote"),
        ("a..b", "'..'"),
        ("-flag", "starts with '-'"),
        ("ends/", "ends with '/'"),
        ("x.lock", "ends with '.lock'"),
        ("x.lock/y", "ends with '.lock'"),
        ("HEAD", "it is HEAD"),
        ("@", "reads as HEAD"),
        ("a@{b", "'@{'"),
        ("a//b", "'//'"),
        ("a/.b", "starts with '.'"),
        ("", "empty"),
        ("x" * 241, "bytes long"),
        ("tilde~1", "~"),
        ("bad\udcff", "not valid UTF-8"),
    ],
)
def test_invalid_branch_names_say_why(branch: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_branch_name(branch)
    assert reason in info.value.message
    assert info.value.message.startswith("Invalid branch name")


@pytest.mark.parametrize(
    "branch", ["feat/user-auth", "feat/café", "x" * 200, "release/1.2", "HEAD/x", "a@b", "x.LOCK"]
)
def test_valid_branch_names_pass(branch: str) -> None:
    check_branch_name(branch)


@pytest.fixture(scope="module")
def empty_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("refcheck")
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def _git_accepts(repo: Path, branch: str) -> bool:
    done = subprocess.run(
        ["git", "check-ref-format", "--branch", branch], cwd=repo, capture_output=True
    )
    return done.returncode == 0


_REF_TEXT = st.text(alphabet="ab./-@{}~^:?*[\\ \tlockHEAD'\"`é", min_size=0, max_size=14)
_REF_SHAPED = st.lists(
    st.sampled_from(["a", "b", ".", "..", "/", "-", "@", "@{", ".lock", "lock", "HEAD", "{", "é"]),
    max_size=6,
).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_REF_TEXT, _REF_SHAPED))
def test_branch_check_agrees_with_git(empty_repo: Path, branch: str) -> None:
    wttui_accepts = _valid(branch)
    extra = branch == "@" or bool(set(branch) & set("'\"`"))
    if extra:
        assert not wttui_accepts
    else:
        assert wttui_accepts == _git_accepts(empty_repo, branch), branch
