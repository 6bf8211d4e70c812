"""The ``guarantee`` plugin: the financing-guarantee business from application to an effective guarantee
(docs/guarantee/README.md)."""

KEY = "guarantee"
