"""Loan products (贷款产品): tenant-editable and versioned (docs/microloan/README.md, "Products")."""
