"""One adapter per migration tool; `registry.py` lists them."""
