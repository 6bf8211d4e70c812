"""监管报表 (regulatory reports): a Surety plugin (key ``regulatory``), docs/regulatory/README.md."""

KEY = "regulatory"
__version__ = "0.1.0"
