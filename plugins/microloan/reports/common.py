"""What the reports area's exports and dashboard share: the ratio rounding (the loans an actor may see are
``loan.scope.scoped``)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
#: Places of the ratios (0.123457 is 12.3457 %).
RATIO_PLACES = 6


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """``numerator / denominator`` rounded half-up to RATIO_PLACES places; None when the denominator is 0."""
    if not denominator:
        return None
    return (numerator / denominator).quantize(Decimal(1).scaleb(-RATIO_PLACES), rounding=ROUND_HALF_UP)
