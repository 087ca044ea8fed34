"""What the second walkthrough found: `templates list` (which help offers) works, `wttui test`
with the worktree left out says the worktree comes first, and a worktree with no database
starts no template build."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import wttui


def test_templates_list_is_the_listing_help_offers(repo: Path) -> None:
    listed = wttui(repo, "templates", "list")
    bare = wttui(repo, "templates")
    assert listed.returncode == 0, listed.stderr
    assert (listed.stdout, listed.stderr) == (bare.stdout, bare.stderr)
    unknown = wttui(repo, "templates", "lsit")
    assert unknown.returncode == 2
    assert "(list, build, prune)" in unknown.stderr


def test_test_without_the_worktree_says_it_comes_first(repo: Path) -> None:
    done = wttui(repo, "test", "--", "true")
    assert done.returncode == 2
    assert "the worktree comes first" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_worktree_with_no_database_starts_no_template_build(repo: Path) -> None:
    # Background builds on, as a user has them (the suite turns them off).
    done = wttui(repo, "create", "notes", "--no-db", env={"WTTUI_NO_BACKGROUND": ""})
    assert done.returncode == 0, done.stderr
    assert "template cache" not in done.stderr
