"""Reserve and provision arithmetic and fee-income amortisation, pure (docs/finance/reserves.md)."""
