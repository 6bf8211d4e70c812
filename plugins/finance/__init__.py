"""Finance: vouchers, ledgers, reserves and exports to accounting software (issue 16)."""
