"""再担保 (re-guarantee): a Surety plugin (key ``reguarantee``), docs/reguarantee/README.md."""

KEY = "reguarantee"
__version__ = "0.1.0"
