"""Automatic workflow steps this plugin offers (``surety_workflow_handlers``), by name ``guarantee.<name>``."""

from __future__ import annotations


def handlers() -> dict:
    return {}
