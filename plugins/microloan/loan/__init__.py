"""Loans (贷款): the loan, its stored schedule and its origination (docs/microloan/README.md, "Loans")."""
