"""Automatic workflow steps this plugin offers (``surety_workflow_handlers``), by name ``guarantee.<name>``.
(Owned by the banks/fees area; the credit-line check is a placeholder that always passes until it lands.)"""

from __future__ import annotations

CREDIT_LINE_CHECK = "guarantee.credit_line_check"


def credit_line_check(session, call) -> str:
    return "ok"


def handlers() -> dict:
    return {CREDIT_LINE_CHECK: credit_line_check}
