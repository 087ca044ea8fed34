"""Isolation strategies: how a worktree's database is planned, provisioned and dropped."""
