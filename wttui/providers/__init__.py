"""One module per outside system (git, PostgreSQL, the embedded cluster, env files); no UI."""
