"""The origination area of the ``guarantee`` plugin (docs/guarantee/origination.md)."""
