"""My bookmark API, in parts. main.py puts them together."""
