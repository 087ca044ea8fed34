"""Modal screens: create, remove, confirmations and help. None of them does I/O."""
