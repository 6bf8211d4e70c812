"""Monitoring of partners (warnings against thresholds) and the statistics of the re-guarantee business
(docs/reguarantee/monitoring.md)."""
