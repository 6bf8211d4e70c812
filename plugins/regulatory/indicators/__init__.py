"""Liability balance, leverage, concentration, asset ratios and indicators (docs/regulatory/measures.md)."""
