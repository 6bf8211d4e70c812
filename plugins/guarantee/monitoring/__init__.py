"""The monitoring area of the ``guarantee`` plugin (docs/guarantee/monitoring.md)."""
