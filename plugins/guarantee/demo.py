"""Demo data of the ``guarantee`` plugin (``surety demo``)."""

from __future__ import annotations


def add_demo_guarantees(session, tenant) -> None:
    return None
