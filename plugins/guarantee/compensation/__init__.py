"""The compensation area of the ``guarantee`` plugin (docs/guarantee/compensation.md)."""
