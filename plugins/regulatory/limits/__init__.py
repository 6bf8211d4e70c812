"""The limit check before an approval (docs/regulatory/limits.md)."""
