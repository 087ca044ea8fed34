"""The git provider on real repositories with linked worktrees."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.repo_factory import git
from wttui.errors import DirtyWorktree, GitError, InvalidInput
from wttui.providers.git import GitProvider


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "app"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "README.md").write_text("hi\n")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return path


@pytest.fixture
def provider(root: Path) -> GitProvider:
    return GitProvider.discover(root)


def test_discover_from_a_subdirectory_and_from_a_linked_worktree(
    root: Path, provider: GitProvider, tmp_path: Path
) -> None:
    (root / "src").mkdir()
    assert GitProvider.discover(root / "src").root == root
    provider.add_worktree(tmp_path / "wt" / "feat-a", "feat/a")
    linked = GitProvider.discover(tmp_path / "wt" / "feat-a")
    assert linked.root == root
    assert linked.common_dir == root / ".git"


def test_outside_a_repository_is_one_sentence(tmp_path: Path) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    with pytest.raises(GitError, match=r"^Not inside a git repository: .*plain$"):
        GitProvider.discover(outside)


def test_list_shows_main_first_with_branch_dirty_and_ahead(
    root: Path, provider: GitProvider, tmp_path: Path
) -> None:
    git(root, "init", "-q", "--bare", str(tmp_path / "origin.git"))
    git(root, "remote", "add", "origin", str(tmp_path / "origin.git"))
    feat = provider.add_worktree(tmp_path / "wt" / "feat-a", "feat/a")
    git(feat.path, "push", "-q", "-u", "origin", "feat/a")
    (feat.path / "a.txt").write_text("a\n")
    git(feat.path, "add", "a.txt")
    git(feat.path, "commit", "-q", "-m", "a")
    (feat.path / "scratch.txt").write_text("untracked\n")

    main, listed = provider.list_worktrees()
    assert (main.is_main, main.branch, main.dirty) == (True, "main", False)
    assert main.head == git(root, "rev-parse", "HEAD").strip()
    assert (listed.is_main, listed.branch, listed.path) == (False, "feat/a", feat.path)
    assert listed.dirty
    assert (listed.ahead, listed.behind) == (1, 0)
    assert listed.last_commit_subject == "a"


def test_locked_and_prunable_worktrees_are_marked(
    root: Path, provider: GitProvider, tmp_path: Path
) -> None:
    locked = provider.add_worktree(tmp_path / "wt" / "locked", "feat/locked")
    gone = provider.add_worktree(tmp_path / "wt" / "gone", "feat/gone")
    git(root, "worktree", "lock", "--reason", "on a USB disk", str(locked.path))
    shutil.rmtree(gone.path)

    by_branch = {w.branch: w for w in provider.list_worktrees()}
    assert by_branch["feat/locked"].locked
    assert by_branch["feat/locked"].lock_reason == "on a USB disk"
    assert by_branch["feat/gone"].prunable

    with pytest.raises(GitError, match="is locked \\(on a USB disk\\)"):
        provider.remove_worktree(locked.path)
    assert provider.prune() == [gone.path]
    assert "feat/gone" not in {w.branch for w in provider.list_worktrees()}


def test_add_new_branch_from_base_and_existing_branch(
    root: Path, provider: GitProvider, tmp_path: Path
) -> None:
    first = git(root, "rev-parse", "HEAD").strip()
    (root / "b.txt").write_text("b\n")
    git(root, "add", "b.txt")
    git(root, "commit", "-q", "-m", "b")
    git(root, "branch", "existing")

    from_base = provider.add_worktree(tmp_path / "wt" / "old", "feat/old", base=first)
    assert from_base.head == first
    existing = provider.add_worktree(tmp_path / "wt" / "existing", "existing")
    assert existing.branch == "existing"
    assert (existing.path / "b.txt").exists()


@pytest.mark.parametrize(
    ("branch", "base", "message"),
    [
        ("main", None, "Branch main already has a worktree"),
        ("feat/x", "no-such-ref", "Unknown base ref 'no-such-ref'"),
        ("bad name", None, "bad name"),
        ("feat..x", None, "feat..x"),
    ],
)
def test_add_refusals_change_nothing(
    provider: GitProvider, tmp_path: Path, branch: str, base: str | None, message: str
) -> None:
    before = provider.list_worktrees()
    with pytest.raises(InvalidInput, match=message):
        provider.add_worktree(tmp_path / "wt" / "x", branch, base=base)
    assert provider.list_worktrees() == before
    assert not (tmp_path / "wt" / "x").exists()
    assert not provider.branch_exists("feat/x")


def test_remove_refuses_dirty_unless_forced_and_keeps_the_branch(
    provider: GitProvider, tmp_path: Path
) -> None:
    feat = provider.add_worktree(tmp_path / "wt" / "feat-d", "feat/d")
    (feat.path / "README.md").write_text("changed\n")
    with pytest.raises(DirtyWorktree, match="1 modified, 0 untracked"):
        provider.remove_worktree(feat.path)
    assert feat.path.exists()
    provider.remove_worktree(feat.path, force=True)
    assert not feat.path.exists()
    assert provider.branch_exists("feat/d")


def test_main_worktree_and_strangers_cannot_be_removed(
    root: Path, provider: GitProvider, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput, match="is the main worktree"):
        provider.remove_worktree(root)
    with pytest.raises(InvalidInput, match="is not a worktree"):
        provider.remove_worktree(tmp_path / "elsewhere")


def test_find_by_branch_path_inside_and_directory_name(
    provider: GitProvider, tmp_path: Path
) -> None:
    feat = provider.add_worktree(tmp_path / "wt" / "feat-f", "feat/f")
    (feat.path / "deep" / "er").mkdir(parents=True)
    for ref in ("feat/f", str(feat.path), str(feat.path / "deep" / "er"), "feat-f"):
        found = provider.find_worktree(ref)
        assert found is not None, ref
        assert found.path == feat.path
    assert provider.find_worktree("feat/none") is None
