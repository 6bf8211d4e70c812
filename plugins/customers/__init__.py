"""The ``customers`` plugin: the shared customer pool (individual and corporate), related parties, blacklist."""

KEY = "customers"
