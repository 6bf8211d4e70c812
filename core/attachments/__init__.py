"""Attachments for any entity: type sniffed from content, size limit, stored per tenant (docs/attachments.md)."""
