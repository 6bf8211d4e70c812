"""Append-only audit log with a per-tenant hash chain."""
