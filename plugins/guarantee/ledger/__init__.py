"""The ledger area of the ``guarantee`` plugin (docs/guarantee/ledger.md)."""
