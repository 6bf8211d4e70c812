"""The finance area of the ``guarantee`` plugin (docs/guarantee/finance.md)."""
