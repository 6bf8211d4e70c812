"""The project area of the ``guarantee`` plugin (docs/guarantee/project.md)."""
