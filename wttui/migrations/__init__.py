"""Migration tools: one `Adapter` per tool (`tools/`), run by one `Runner`; `registry.py` names
them, wttui's own SQL runner (`tools/sql.py`) included."""
