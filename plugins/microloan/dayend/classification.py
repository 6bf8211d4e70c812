"""Five-category classification (贷款五级分类) and the loss provision of a loan (pure; the batch step applies them).

A loan's class follows its days past due by the tenant's ``class_days`` (settings: the days from which each class
starts; below the first, 正常); an approved override (``risk_class_override``, set by collection through approval)
wins over the computed class. The provision is the principal balance times the class's rate (``provision_rates``),
rounded half-up to the fen.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from surety.core.db.types import to_money
from surety.plugins.microloan.conventions import RISK_CLASSES


def class_for_days(days_past_due: int, class_days: Mapping[str, int]) -> str:
    """The class of a loan ``days_past_due`` days past due: the worst whose starting day it has reached."""
    found = "normal"
    for key in RISK_CLASSES:
        start = class_days.get(key)
        if start is not None and days_past_due >= int(start):
            found = key
    return found


def loan_class(days_past_due: int, override: str | None, class_days: Mapping[str, int]) -> str:
    """The class in force: the approved override if there is one, else the class by days past due."""
    return override if override in RISK_CLASSES else class_for_days(days_past_due, class_days)


def provision_for(principal_balance: Decimal, risk_class: str, rates: Mapping[str, object]) -> Decimal:
    """Provision held against a loan: principal balance x the class's rate, to the fen."""
    return to_money(principal_balance * Decimal(str(rates.get(risk_class, "0"))))
