"""Filings (备案): a partner's guarantees filed for re-guarantee, singly or in batches, and their releases; the fee
of each filing and the periodic fee bills (docs/reguarantee/filings.md)."""
