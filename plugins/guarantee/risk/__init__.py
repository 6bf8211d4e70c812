"""The risk area of the ``guarantee`` plugin (docs/guarantee/risk.md)."""
