"""The figures of an agreement, pure (no database, no session): the risk-sharing split of a guaranteed amount, the
re-guarantee fee of the re-guarantor's share for a term, the single-household cap check and the eligibility check
(docs/reguarantee/README.md, "Rules", with worked numbers).

Conventions, stated once:

- Split: each party but the original guarantor gets ``amount x its part`` rounded half-up to the fen; the original
  guarantor gets what is left (so the parts always add up to the amount exactly; the rounding remainder, at most a
  few fen, is the original guarantor's).
- Fee: ``share x rate x multiplier x days / 365`` rounded half-up to the fen (ACT/365: the term's calendar days over
  365, whatever the year), where ``rate`` is the reduced rate when the single guarantee (the whole guaranteed
  amount, not the share) is at most the threshold, boundary inclusive, else the base rate.
- Cap: the customer's aggregated balance after the new guarantee may equal the cap (boundary inclusive).
- Eligibility: every rule is checked (no stop at the first failure); a rule whose field the filing does not give
  fails too. The reasons are the rules' own zh-CN messages (data a tenant writes), in rule order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

FEN = Decimal("0.01")
#: A rate is kept to 8 decimals (as the Rate column).
RATE_PLACES = Decimal("1E-8")
DAYS_A_YEAR = 365
#: Parties of a split, the remainder-taker (``original``) first.
PARTIES = ("original", "reguarantor", "national_fund", "bank")
#: Comparison operators of an eligibility rule -> zh-CN reading.
OPS = {
    "in": "属于", "not_in": "不属于", "==": "等于", "!=": "不等于",
    "<=": "不高于", "<": "低于", ">=": "不低于", ">": "高于",
}
NUMERIC_OPS = frozenset({"<=", "<", ">=", ">"})


def fen(value: Decimal) -> Decimal:
    """Half-up to the fen."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def split_amount(amount: Decimal, parts: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Party -> its share of ``amount`` (yuan): ``parts`` (fractions summing to 1, every party of ``PARTIES``) times
    the amount to the fen, the original guarantor taking the remainder. ValueError when the parts do not sum to 1."""
    if sum((Decimal(parts[p]) for p in PARTIES), Decimal(0)) != 1:
        raise ValueError("the parts of a split sum to 1")
    shares = {p: fen(amount * Decimal(parts[p])) for p in PARTIES[1:]}
    return {"original": amount - sum(shares.values(), Decimal(0)), **shares}


@dataclass(frozen=True)
class FeeRules:
    """A fee rule set: yearly base rate, the reduced rate for a single guarantee at most ``reduced_threshold``
    (either None: no reduction) and the programme's multiplier."""

    base_rate: Decimal
    reduced_rate: Decimal | None = None
    reduced_threshold: Decimal | None = None
    multiplier: Decimal = Decimal(1)

    def rate_for(self, guaranteed: Decimal) -> Decimal:
        """The yearly rate (multiplier applied) for a single guarantee of ``guaranteed`` yuan."""
        reduced = (self.reduced_rate is not None and self.reduced_threshold is not None
                   and guaranteed <= self.reduced_threshold)
        return ((self.reduced_rate if reduced else self.base_rate) * self.multiplier).quantize(RATE_PLACES)


@dataclass(frozen=True)
class Fee:
    """The re-guarantee fee of one guarantee: the re-guarantor's share it is charged on, the yearly rate used, the
    fee for a full year and for the term's days."""

    share: Decimal
    rate: Decimal
    annual_fee: Decimal
    days: int
    fee: Decimal


def fee_for(guaranteed: Decimal, share: Decimal, rules: FeeRules, days: int) -> Fee:
    """The fee of the re-guarantor's ``share`` of a ``guaranteed`` amount over ``days`` (ACT/365, to the fen)."""
    if days < 0:
        raise ValueError("days is not negative")
    rate = rules.rate_for(guaranteed)
    return Fee(share=share, rate=rate, annual_fee=fen(share * rate), days=days,
               fee=fen(share * rate * days / DAYS_A_YEAR))


@dataclass(frozen=True)
class CapCheck:
    """A single-household cap check: the customer's balance before, the new amount, the total, the cap, what is
    left under the cap after it (negative: over) and whether it fits (total <= cap)."""

    balance: Decimal
    amount: Decimal
    total: Decimal
    cap: Decimal
    headroom: Decimal
    within: bool


def cap_check(balance: Decimal, amount: Decimal, cap: Decimal) -> CapCheck:
    """Whether ``amount`` more on a customer's aggregated ``balance`` stays within ``cap`` (inclusive)."""
    total = balance + amount
    return CapCheck(balance=balance, amount=amount, total=total, cap=cap, headroom=cap - total, within=total <= cap)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or isinstance(value, float):
        return None
    try:
        found = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return found if found.is_finite() else None


def rule_holds(rule: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
    """Whether one rule ``{field, op, value}`` holds for a filing's ``fields``: ``in``/``not_in`` against a list,
    ``==``/``!=`` as text, the order operators as exact decimals (a value that is no number fails)."""
    if rule["field"] not in fields or fields[rule["field"]] is None:
        return False
    value, op, wanted = fields[rule["field"]], rule["op"], rule["value"]
    if op in ("in", "not_in"):
        inside = str(value) in {str(w) for w in wanted}
        return inside if op == "in" else not inside
    if op in ("==", "!="):
        same = str(value) == str(wanted)
        return same if op == "==" else not same
    left, right = _number(value), _number(wanted)
    if left is None or right is None:
        return False
    return {"<=": left <= right, "<": left < right, ">=": left >= right, ">": left > right}[op]


def failed_rules(rules: Sequence[Mapping[str, Any]], fields: Mapping[str, Any]) -> list[str]:
    """The zh-CN reason (the rule's ``message``) of every rule that does not hold, in rule order; [] when eligible."""
    return [str(r["message"]) for r in rules if not rule_holds(r, fields)]
