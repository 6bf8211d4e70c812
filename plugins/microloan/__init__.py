"""小额贷款 (microloan): a Surety plugin (key ``microloan``), docs/microloan/README.md."""

KEY = "microloan"
__version__ = "0.1.0"
