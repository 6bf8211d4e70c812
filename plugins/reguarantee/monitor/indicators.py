"""The monitoring indicators of a partner, as pure arithmetic (no database, no session): the compensation rate, the
risk amount and risk degree of its in-force filings from the object and method weights, and the warning level a
value reaches on the tenant's thresholds (docs/reguarantee/monitoring.md).

- **Compensation rate** (代偿率) of a period: the guaranteed amount of the filings ended by compensation in the period
  over the guaranteed amount of all filings released in it (normal + compensation), 6 places half-up; nothing
  released: no rate (None), not a division by zero. 1000万 released of which 50万 by compensation: 0.050000.
- **Risk amount / risk degree** (风险金额 / 风险度) of in-force filings: each filing's exposure (the
  re-guarantor's share ``share_reguarantor``) weighted as the guarantee plugin weights a project
  (core/risk_weights.py): object weight by the customer kind (enterprise -> corporate 1.0; individual business,
  farmer, person -> individual 0.8; an unknown kind counts as corporate), method weight by
  ``fields.guarantee_method`` (信用 credit 1.0, 保证 third party 0.7, 留置 lien 0.6, 抵押 mortgage 0.5, 质押 pledge
  0.4, 保证金 deposit 0.1; the English keys are accepted too; missing or unknown: 信用, the heaviest). Risk amount =
  sum of object weight x method weight x exposure (fen, half-up per group of equal weights); risk degree = risk
  amount / exposure (6 places; no exposure: None).
- **Level**: the thresholds of an indicator are inclusive and given mildest first (blue, yellow, orange, red); the
  level is the most severe one whose threshold the value reaches. Defaults for the compensation rate 2 % / 3 % / 4 %
  / 5 %: 0.05 is red, 0.0499 orange.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from surety.core import risk_weights
from surety.plugins.reguarantee.conventions import WARNING_INDICATORS, WARNING_LEVELS

#: The compensation rate and the risk degree are quotients to this many places (core/risk_weights.py).
ratio = risk_weights.ratio
#: Warning levels mildest first (their rank is their position).
LEVELS = tuple(WARNING_LEVELS)
INDICATORS = tuple(WARNING_INDICATORS)
#: Customer kind of a filing -> object (customer) group of the risk weights.
OBJECT_OF_KIND = {"enterprise": "corporate", "individual_business": "individual", "farmer": "individual",
                  "person": "individual"}
DEFAULT_OBJECT = "corporate"
#: ``fields.guarantee_method`` of a filing (zh-CN or the key) -> method (counter) group of the risk weights.
METHODS = {"信用": "credit", "保证": "third_party", "留置": "lien", "抵押": "mortgage", "质押": "pledge",
           "保证金": "deposit"}
METHOD_LABELS = {v: k for k, v in METHODS.items()}
DEFAULT_METHOD = "credit"


def method_of(value: object) -> str:
    """The method key of a filing's ``guarantee_method`` (信用 / 保证 / 留置 / 抵押 / 质押 / 保证金 or the key itself);
    missing or unknown: ``credit``."""
    text = str(value or "").strip()
    if text in METHODS:
        return METHODS[text]
    return text if text in METHOD_LABELS else DEFAULT_METHOD


def object_weight(customer_kind: str | None, weights: Mapping = risk_weights.DEFAULT_RISK_WEIGHTS) -> Decimal:
    return weights["customer"][OBJECT_OF_KIND.get(customer_kind or "", DEFAULT_OBJECT)]


def method_weight(method: object, weights: Mapping = risk_weights.DEFAULT_RISK_WEIGHTS) -> Decimal:
    return weights["counter"][method_of(method)]


def compensation_rate(compensated: Decimal, released: Decimal) -> Decimal | None:
    """Compensated over released (both guaranteed amounts of the period); None when nothing was released."""
    return ratio(compensated, released)


@dataclass(frozen=True)
class Risk:
    exposure: Decimal
    risk_amount: Decimal
    risk_degree: Decimal | None


def risk_of(groups: Iterable[tuple[str | None, object, Decimal]],
            weights: Mapping = risk_weights.DEFAULT_RISK_WEIGHTS) -> Risk:
    """The risk of in-force exposures given as ``(customer_kind, guarantee_method, exposure)`` groups (one per
    filing, or one per distinct kind and method with the exposures summed)."""
    exposure, amount = Decimal("0.00"), Decimal("0.00")
    for kind, method, base in groups:
        base = base or Decimal("0.00")
        exposure += base
        amount += risk_weights.weighted_risk(base, object_weight(kind, weights),
                                             [(base, method_weight(method, weights))]).risk_amount
    return Risk(exposure=exposure, risk_amount=amount, risk_degree=ratio(amount, exposure))


def rank(level: str | None) -> int:
    """0 for no level, then 1 (blue) .. 4 (red)."""
    return LEVELS.index(level) + 1 if level in LEVELS else 0


def not_increasing(thresholds: Mapping[str, Decimal]) -> list[str]:
    """The levels of ``thresholds`` (level -> fraction) whose threshold is not above the milder one before it."""
    bad, last = [], None
    for level in LEVELS:
        if level in thresholds:
            if last is not None and thresholds[level] <= last:
                bad.append(level)
            last = thresholds[level]
    return bad


def level_of(value: Decimal | None, thresholds: Mapping[str, Decimal]) -> tuple[str, Decimal] | None:
    """``(level, threshold)`` of the most severe level whose threshold ``value`` reaches (inclusive); None when it
    reaches none, or there is no value."""
    if value is None:
        return None
    found = None
    for level in LEVELS:
        if level in thresholds and value >= thresholds[level]:
            found = (level, thresholds[level])
    return found
