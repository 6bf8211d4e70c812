"""The credit-reporting file (二代征信 guarantee-account events) per period."""
