"""The Bookmark Manager's code, one module per job; main.py (beside this folder) wires it."""
