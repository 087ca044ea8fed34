"""Migrations across branches: the analysis (`analysis.py`), reading every branch's files
through git (`branches.py`), and naming who holds a migration applied elsewhere (`holders.py`)."""
