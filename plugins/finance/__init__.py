"""财务凭证 / 业财一体化 (finance): a Surety plugin (key ``finance``), docs/finance/README.md."""

KEY = "finance"
__version__ = "0.1.0"
