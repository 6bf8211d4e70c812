"""Risk weights (风险权重) and the weighted risk of a guaranteed amount: pure arithmetic, no database, shared by every
business that rates an exposure by who it is to (the object weight) and how it is secured (the method weight).

- The default table: object (customer) weights ``corporate`` 1.0, ``individual`` 0.8; method (counter-guarantee)
  weights ``credit`` 1.0, ``third_party`` 0.7, ``lien`` 0.6, ``mortgage`` 0.5, ``pledge`` 0.4, ``deposit`` 0.1.
  The guarantee plugin overlays a tenant's own weights on it (its ``risk_weights`` setting); the re-guarantee
  plugin's monitoring reads it for filings (docs/reguarantee/monitoring.md).
- :func:`weighted_risk`: covers are applied in the order given (the caller orders them strongest first) until the
  amount is used up: ``counted_i = min(covered_i, remaining)``; ``uncovered`` is what is left;
  ``risk amount = object_weight x (uncovered + sum(counted_i x weight_i))``, half-up to the fen;
  ``risk degree = risk amount / amount`` (:func:`ratio`, 6 places half-up; None for a zero amount).

Worked example (docs/guarantee/risk.md): 1 000 000 to a corporate customer, a pledge covering 300 000 then a
third-party guarantee of 800 000: 300 000 x 0.4 + 700 000 x 0.7 = 610 000, degree 0.610000.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
#: Places of a risk degree (0.610000).
RATIO = Decimal("0.000001")
#: The default weights: group -> kind -> weight (each in [0, 1]).
DEFAULT_RISK_WEIGHTS: dict[str, dict[str, Decimal]] = {
    "customer": {"corporate": Decimal("1.0"), "individual": Decimal("0.8")},
    "counter": {"credit": Decimal("1.0"), "third_party": Decimal("0.7"), "lien": Decimal("0.6"),
                "mortgage": Decimal("0.5"), "pledge": Decimal("0.4"), "deposit": Decimal("0.1")},
}


def ratio(num: Decimal, den: Decimal | None) -> Decimal | None:
    """``num / den`` to 6 places, half-up; None when ``den`` is not positive."""
    if den is None or den <= 0:
        return None
    return (num / den).quantize(RATIO, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class WeightedRisk:
    #: The part of each cover applied to the amount, in the order given.
    counted: tuple[Decimal, ...]
    uncovered: Decimal
    risk_amount: Decimal
    risk_degree: Decimal | None


def weighted_risk(amount: Decimal, object_weight: Decimal,
                  covers: Iterable[tuple[Decimal, Decimal]] = ()) -> WeightedRisk:
    """The risk of ``amount`` with ``covers`` ``(covered, weight)`` applied in the order given (the formula of this
    module's docstring). A single method securing the whole amount is ``covers=[(amount, weight)]``: the risk
    amount is then ``object_weight x weight x amount``."""
    remaining, weighted, counted = amount, Decimal(0), []
    for covered, weight in covers:
        part = min(covered, max(remaining, Decimal(0)))
        remaining -= part
        weighted += part * weight
        counted.append(part)
    uncovered = max(remaining, Decimal(0))
    risk_amount = (object_weight * (uncovered + weighted)).quantize(FEN, rounding=ROUND_HALF_UP)
    return WeightedRisk(counted=tuple(counted), uncovered=uncovered.quantize(FEN, rounding=ROUND_HALF_UP),
                        risk_amount=risk_amount, risk_degree=ratio(risk_amount, amount))
