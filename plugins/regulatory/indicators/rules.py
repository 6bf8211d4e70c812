"""The regulatory measures as pure rules (no database, no session): the guarantee liability balance (融资担保责任余额)
with its weights, leverage (放大倍数), concentration, asset ratios and indicators, from plain values (exposures of
core/ports/regulatory.py, amounts, the tenant's settings as :class:`Params`). docs/regulatory/measures.md has every
rule with worked numbers; DOMAIN.md "Regulatory measures" and conventions.py name the sources.

Rounding: amounts stay exact Decimals while summed; a weighted line (rule x balance) is rounded half-up to the fen,
and the liability balance is the sum of the rounded lines; ratios and multiples are rounded half-up to 6 places
(:data:`RATIO_PLACES`) for display, never before a comparison (``passes`` compares exact values).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from surety.core.ports.regulatory import BUSINESS_TYPES, Exposure, ExposureBand
from surety.plugins.regulatory import conventions as c

ZERO = Decimal("0.00")
FEN = Decimal("0.01")
RATIO_PLACES = Decimal("0.000001")
MAX, MIN = "max", "min"


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(FEN, ROUND_HALF_UP)


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """``numerator / denominator`` rounded half-up to 6 places; None when the denominator is zero or less."""
    if denominator <= 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES, ROUND_HALF_UP)


# ---------------------------------------------------------------- settings ------------------------------------------


@dataclasses.dataclass(frozen=True)
class WeightRule:
    """One line of the weights table: an exposure matches when its business type is ``business_type``, its customer
    type is ``customer_type`` (when given), the customer's aggregated balance of that business type is at most the
    threshold named ``threshold`` (when given, boundary inclusive) and its rating is ``min_rating`` or better (when
    given). The first matching line applies."""

    business_type: str
    weight: Decimal
    customer_type: str | None = None
    threshold: str | None = None
    min_rating: str | None = None

    @property
    def key(self) -> str:
        """``loan/small_micro/<=small_micro``, ``bond/>=AA``, ``housing``: the line's name in a breakdown."""
        parts = [self.business_type]
        if self.customer_type:
            parts.append(self.customer_type)
        if self.threshold:
            parts.append(f"<={self.threshold}")
        if self.min_rating:
            parts.append(f">={self.min_rating}")
        return "/".join(parts)


#: The line an exposure matching no rule of the table falls under (weighted in full).
UNMATCHED = WeightRule(business_type="*", weight=Decimal("1"))


def weight_rules(rows: Iterable[Mapping]) -> tuple[WeightRule, ...]:
    """The weights table from the settings' JSON (values as text)."""
    return tuple(WeightRule(business_type=str(r["business_type"]), weight=Decimal(str(r["weight"])),
                            customer_type=r.get("customer_type") or None, threshold=r.get("threshold") or None,
                            min_rating=r.get("min_rating") or None) for r in rows)


@dataclasses.dataclass(frozen=True)
class Params:
    """The tenant's settings as the rules read them (defaults: the regulation, conventions.py)."""

    weights: tuple[WeightRule, ...] = weight_rules(c.DEFAULT_WEIGHTS)
    thresholds: Mapping[str, Decimal] = dataclasses.field(default_factory=lambda: dict(c.DEFAULT_THRESHOLDS))
    threshold_basis: str = c.DEFAULT_THRESHOLD_BASIS
    deduct_reguaranteed: bool = False
    mainly_small_micro: bool = False
    leverage_cap: Decimal = c.DEFAULT_LEVERAGE_CAP
    leverage_cap_small_micro: Decimal = c.DEFAULT_LEVERAGE_CAP_SMALL_MICRO
    single_party_limit: Decimal = c.DEFAULT_SINGLE_PARTY_LIMIT
    related_group_limit: Decimal = c.DEFAULT_RELATED_GROUP_LIMIT
    class_i_min: Decimal = c.DEFAULT_CLASS_I_MIN
    class_i_ii_min: Decimal = c.DEFAULT_CLASS_I_II_MIN
    class_iii_max: Decimal = c.DEFAULT_CLASS_III_MAX

    @property
    def leverage_limit(self) -> Decimal:
        return self.leverage_cap_small_micro if self.mainly_small_micro else self.leverage_cap


def rating_at_least(rating: str | None, minimum: str) -> bool:
    """Whether ``rating`` is ``minimum`` or better in conventions.RATINGS (an unknown or missing rating is not)."""
    order = c.RATINGS
    found = (rating or "").strip().upper()
    return found in order and minimum in order and order.index(found) <= order.index(minimum)


# ---------------------------------------------------------------- liability balance ---------------------------------


@dataclasses.dataclass(frozen=True)
class BalanceLine:
    """One line of the breakdown: the weights-table line, the balance under it (after the deductions), its weight and
    the weighted balance (rounded to the fen), and how many guarantees."""

    rule: WeightRule
    balance: Decimal
    weight: Decimal
    weighted: Decimal
    count: int


@dataclasses.dataclass(frozen=True)
class LiabilityBalance:
    """The 融资担保责任余额 (``total``) with its ``lines`` (in the weights table's order, the unmatched line last),
    the financing ``gross`` balance, the ``bank_share`` and ``reguaranteed`` deducted, the weighted balance per
    customer (unrounded, for concentration), and the non-financing balances (gross, by business type), reported
    separately and not weighted in."""

    total: Decimal
    lines: tuple[BalanceLine, ...]
    gross: Decimal
    bank_share: Decimal
    reguaranteed: Decimal
    by_customer: Mapping[uuid.UUID, Decimal]
    non_financing: Mapping[str, Decimal]

    @property
    def non_financing_total(self) -> Decimal:
        return sum(self.non_financing.values(), ZERO)


def _net(e: Exposure, params: Params) -> Decimal:
    return e.gross - e.bank_share - (e.reguaranteed if params.deduct_reguaranteed else ZERO)


def _basis(e: Exposure, params: Params) -> Decimal:
    return e.gross - e.bank_share if params.threshold_basis == "own" else e.gross


def rule_for(e: Exposure, aggregated: Decimal, params: Params) -> WeightRule:
    """The first line of the weights table matching ``e``, whose customer's aggregated balance of that business type
    (gross or own share, per ``threshold_basis``) is ``aggregated``; :data:`UNMATCHED` when none does."""
    for rule in params.weights:
        if rule.business_type != e.business_type:
            continue
        if rule.customer_type and rule.customer_type != e.customer_type:
            continue
        if rule.threshold and not aggregated <= Decimal(params.thresholds.get(rule.threshold, ZERO)):
            continue
        if rule.min_rating and not rating_at_least(e.rating, rule.min_rating):
            continue
        return rule
    return UNMATCHED


def liability_balance(exposures: Iterable[Exposure], params: Params) -> LiabilityBalance:
    """The guarantee liability balance: each financing exposure, less the bank's share (and the re-guaranteed share
    when ``deduct_reguaranteed``), times the weight of the first matching line of the weights table; thresholds are
    tested on the customer's balance aggregated over its exposures of that business type. Non-financing exposures
    are summed apart (gross) and not weighted in."""
    items = list(exposures)
    aggregated: dict[tuple[uuid.UUID, str], Decimal] = {}
    for e in items:
        if e.financing:
            k = (e.customer_id, e.business_type)
            aggregated[k] = aggregated.get(k, ZERO) + _basis(e, params)
    return _weigh(((e, aggregated.get((e.customer_id, e.business_type), ZERO), e.customer_id) for e in items), params)


def threshold_cuts(params: Params) -> list[Decimal]:
    """The values the weights table's thresholds compare a customer's aggregated balance with, ascending: the cut
    points of the exposure bands a report asks for (core.ports.regulatory.ExposureBand)."""
    return sorted({Decimal(params.thresholds.get(rule.threshold, ZERO)) for rule in params.weights if rule.threshold})


def liability_balance_of_bands(bands: Iterable[ExposureBand], params: Params) -> LiabilityBalance:
    """:func:`liability_balance` over exposures summed into bands by :func:`threshold_cuts` and the params'
    ``threshold_basis`` (the same total and lines; no per-customer balances). A band stands for any balance in it:
    band ``i`` is at most cut ``i``, so it passes a threshold exactly when that cut does."""
    cuts = threshold_cuts(params)

    def representative(band: int) -> Decimal:
        if band < len(cuts):
            return cuts[band]
        return cuts[-1] + 1 if cuts else ZERO

    return _weigh(((b, representative(b.band), None) for b in bands), params)


def _weigh(items: Iterable[tuple[Exposure | ExposureBand, Decimal, uuid.UUID | None]], params: Params
           ) -> LiabilityBalance:
    """The liability balance of ``(exposure or band, the customer's aggregated balance, customer id or None)``."""
    sums: dict[WeightRule, list] = {}
    by_customer: dict[uuid.UUID, Decimal] = {}
    non_financing: dict[str, Decimal] = {}
    gross = bank = reg = ZERO
    for e, aggregated, customer in items:
        if not e.financing:
            non_financing[e.business_type] = non_financing.get(e.business_type, ZERO) + e.gross
            continue
        rule = rule_for(e, aggregated, params)
        net = _net(e, params)
        line = sums.setdefault(rule, [ZERO, 0])
        line[0] += net
        line[1] += e.count
        if customer is not None:
            by_customer[customer] = by_customer.get(customer, ZERO) + net * rule.weight
        gross += e.gross
        bank += e.bank_share
        reg += e.reguaranteed if params.deduct_reguaranteed else ZERO
    lines = tuple(BalanceLine(rule, sums[rule][0], rule.weight, money(sums[rule][0] * rule.weight), sums[rule][1])
                  for rule in dict.fromkeys((*params.weights, UNMATCHED)) if rule in sums)
    return LiabilityBalance(total=sum((ln.weighted for ln in lines), ZERO), lines=lines, gross=gross,
                            bank_share=bank, reguaranteed=reg, by_customer=by_customer,
                            non_financing={k: non_financing[k] for k in BUSINESS_TYPES if k in non_financing})


# ---------------------------------------------------------------- limits --------------------------------------------


@dataclasses.dataclass(frozen=True)
class Limit:
    """A limit: ``value`` (a ratio or multiple, None when its base is zero or less), the ``limit``, ``kind`` (``max``:
    value at most the limit; ``min``: at least), ``passes`` and ``headroom``: in yuan, how much the numerator may
    still grow (``max``) or must stay above the minimum (``min``); negative when breached, None without a base.
    A limit whose base is zero or less cannot be shown to hold: it does not pass (unless its numerator is zero
    too and it is a ``max``)."""

    key: str
    value: Decimal | None
    limit: Decimal
    kind: str
    passes: bool
    headroom: Decimal | None
    numerator: Decimal
    base: Decimal


def limit(key: str, numerator: Decimal, base: Decimal, bound: Decimal, kind: str) -> Limit:
    value = ratio(numerator, base)
    if base <= 0:
        passes = kind == MAX and numerator <= 0
        return Limit(key, None, bound, kind, passes, None, numerator, base)
    exact = Decimal(numerator) / Decimal(base)
    if kind == MAX:
        return Limit(key, value, bound, kind, exact <= bound, money(bound * base - numerator), numerator, base)
    return Limit(key, value, bound, kind, exact >= bound, money(numerator - bound * base), numerator, base)


def net_asset_base(net_assets: Decimal, equity_in_guarantee_companies: Decimal) -> Decimal:
    """The base of leverage and concentration: net assets less equity invested in other guarantee companies."""
    return Decimal(net_assets) - Decimal(equity_in_guarantee_companies)


def leverage(liability: Decimal, base: Decimal, params: Params) -> Limit:
    """放大倍数 = liability balance / net-asset base, at most 10x (15x when mainly serving small/micro)."""
    return limit("leverage", liability, base, params.leverage_limit, MAX)


@dataclasses.dataclass(frozen=True)
class Party:
    """A guaranteed party (or a related group led by ``customer_id``) and its weighted liability balance."""

    customer_id: uuid.UUID
    amount: Decimal
    members: tuple[uuid.UUID, ...] = ()


@dataclasses.dataclass(frozen=True)
class Concentration:
    """The largest single party and the largest related group against the net-asset base, and the top parties."""

    single: Limit
    group: Limit
    largest: Party | None
    largest_group: Party | None
    top: tuple[Party, ...]


def concentration(by_customer: Mapping[uuid.UUID, Decimal], related: Mapping[uuid.UUID, Iterable[uuid.UUID]],
                  base: Decimal, params: Params, top: int = 10) -> Concentration:
    """One party's liability balance at most 10 % of the base, a party with its related parties (one hop, from the
    customers plugin: ``related[customer]``) at most 15 %. Amounts are the parties' weighted liability balances,
    rounded to the fen; ties go to the smaller id (a stable answer)."""
    parties = sorted((Party(cid, money(v)) for cid, v in by_customer.items() if v > 0),
                     key=lambda p: (-p.amount, str(p.customer_id)))
    groups = []
    for p in parties:
        members = tuple(sorted({p.customer_id, *related.get(p.customer_id, ())}, key=str))
        groups.append(Party(p.customer_id, money(sum((by_customer.get(m, ZERO) for m in members), ZERO)), members))
    groups.sort(key=lambda g: (-g.amount, str(g.customer_id)))
    largest = parties[0] if parties else None
    largest_group = groups[0] if groups else None
    return Concentration(
        single=limit("single_party", largest.amount if largest else ZERO, base, params.single_party_limit, MAX),
        group=limit("related_group", largest_group.amount if largest_group else ZERO, base,
                    params.related_group_limit, MAX),
        largest=largest, largest_group=largest_group, top=tuple(parties[:top]))


@dataclasses.dataclass(frozen=True)
class AssetRatios:
    """Asset ratios on total assets less compensation receivable: class I, I+II, III."""

    base: Decimal
    class_i: Limit
    class_i_ii: Limit
    class_iii: Limit


def asset_ratios(total_assets: Decimal, compensation_receivable: Decimal, classes: Mapping[str, Decimal],
                 params: Params) -> AssetRatios:
    """I >= 20 %, I+II >= 70 %, III <= 30 % of (total assets - compensation receivable); ``classes`` holds the
    amounts of ``I``, ``II`` and ``III`` (missing ones are zero)."""
    base = Decimal(total_assets) - Decimal(compensation_receivable)
    one, two, three = (Decimal(classes.get(k, ZERO)) for k in ("I", "II", "III"))
    return AssetRatios(base, limit("class_i", one, base, params.class_i_min, MIN),
                       limit("class_i_ii", one + two, base, params.class_i_ii_min, MIN),
                       limit("class_iii", three, base, params.class_iii_max, MAX))


@dataclasses.dataclass(frozen=True)
class Indicators:
    """代偿率, 累计代偿损失率, reserve coverage and 代偿余额; a rate is None when its denominator is zero."""

    compensation_rate: Decimal | None
    cumulative_loss_rate: Decimal | None
    reserve_coverage: Decimal | None
    compensation_balance: Decimal


def indicators(*, compensation_this_year: Decimal, released_this_year: Decimal, cumulative_loss: Decimal,
               cumulative_compensation: Decimal, unearned_premium_reserve: Decimal, compensation_reserve: Decimal,
               compensation_balance: Decimal) -> Indicators:
    """compensation rate = compensation paid this year / guarantees released this year; cumulative loss rate =
    cumulative loss / cumulative compensation; reserve coverage = (unearned premium reserve + compensation reserve)
    / compensation balance."""
    return Indicators(ratio(compensation_this_year, released_this_year),
                      ratio(cumulative_loss, cumulative_compensation),
                      ratio(Decimal(unearned_premium_reserve) + Decimal(compensation_reserve), compensation_balance),
                      Decimal(compensation_balance))


def breaches(limits: Iterable[Limit]) -> list[str]:
    """The keys of the limits that do not pass, in order."""
    return [lim.key for lim in limits if not lim.passes]


#: Microloan risk classes counted as non-performing (次级、可疑、损失; microloan's NON_PERFORMING_CLASSES).
NON_PERFORMING = ("substandard", "doubtful", "loss")


@dataclasses.dataclass(frozen=True)
class MicroloanRatios:
    """A microloan book's ratios: non-performing balance and ratio (不良贷款率), provision coverage (拨备覆盖率 =
    provision / non-performing balance) and provision ratio (拨贷比 = provision / loan balance); None without a
    denominator."""

    loan_balance: Decimal
    non_performing: Decimal
    npl_ratio: Decimal | None
    provision_balance: Decimal
    provision_coverage: Decimal | None
    provision_ratio: Decimal | None


def microloan_ratios(balance_by_class: Mapping[str, Decimal], provision_balance: Decimal) -> MicroloanRatios:
    """The ratios from the loan balance by risk class and the loss-provision balance."""
    total = sum((Decimal(v) for v in balance_by_class.values()), ZERO)
    bad = sum((Decimal(balance_by_class.get(k, ZERO)) for k in NON_PERFORMING), ZERO)
    provision = Decimal(provision_balance)
    return MicroloanRatios(total, bad, ratio(bad, total), provision, ratio(provision, bad), ratio(provision, total))
