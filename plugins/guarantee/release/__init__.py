"""The release area of the ``guarantee`` plugin (docs/guarantee/release.md)."""
