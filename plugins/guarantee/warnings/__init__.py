"""The warnings area of the ``guarantee`` plugin (docs/guarantee/warnings.md)."""
