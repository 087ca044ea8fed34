"""The four panes. Each renders what it is given and posts requests up; none does I/O."""
