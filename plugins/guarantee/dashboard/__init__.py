"""The dashboard area of the ``guarantee`` plugin (docs/guarantee/dashboard.md)."""
