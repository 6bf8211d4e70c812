"""Hooks the ``guarantee`` plugin declares for other plugins (returned from ``surety_plugin_hookspecs``);
docs/guarantee-documents.md lists each with its exact signature."""

from __future__ import annotations
