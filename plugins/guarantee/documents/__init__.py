"""The documents area of the ``guarantee`` plugin (docs/guarantee/documents.md)."""
