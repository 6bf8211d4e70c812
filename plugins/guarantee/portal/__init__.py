"""The portal area of the ``guarantee`` plugin (docs/guarantee/portal.md)."""
