"""Repayments: how a payment is split over what is due (``allocation``, pure). Posting repayments against loans
comes with the loans (docs/microloan/README.md, "Next")."""
