"""Envelope encryption with per-tenant data keys, blind indexes, masking and key rotation."""
