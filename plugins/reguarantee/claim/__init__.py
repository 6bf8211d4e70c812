"""Compensation claims (代偿补偿) of partners for the re-guarantor's share, and recoveries shared back
(docs/reguarantee/claims.md)."""
