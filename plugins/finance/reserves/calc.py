"""Period-end reserve and provision arithmetic, pure (no database): the finance services feed it ledger balances and
book its adjustment as a voucher. Rules (docs/finance/reserves.md, /work/shared/DOMAIN.md "Finance"):

- 未到期责任准备金 (unearned-premium reserve): 50 % of the year's guarantee-fee income; the voucher books the required
  balance minus the balance carried.
- 担保赔偿准备金 (compensation reserve): at least 1 % of the year-end guarantee liability balance a year; once the
  accumulated reserve reaches 10 % of that balance only the difference up to 10 % is provided (差额提取).
- Microloan loan-loss provision (贷款损失准备): the sum of each class's balance times its rate (default 正常 1 %,
  关注 2 %, 次级 25 %, 可疑 50 %, 损失 100 %); the voucher books required minus carried.

Every figure is yuan rounded half-up to the fen; each result carries its basis as zh-CN lines for the voucher's
attachment and the period-end report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from surety.core.errors import ValidationFailed
from surety.core.inputs import yuan

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
UNEARNED_RATE = Decimal("0.5")
COMPENSATION_MIN_RATE = Decimal("0.01")
COMPENSATION_CAP_RATE = Decimal("0.10")
#: Loan classes from best to worst (the microloan plugin's keys) and their zh-CN names.
LOAN_CLASSES = {"normal": "正常", "special_mention": "关注", "substandard": "次级", "doubtful": "可疑", "loss": "损失"}
#: Default loss-provision rate by class (2002 bank guideline: 1 % general on 正常, 2/25/50/100 % specific).
DEFAULT_LOAN_RATES = {"normal": Decimal("0.01"), "special_mention": Decimal("0.02"), "substandard": Decimal("0.25"),
                      "doubtful": Decimal("0.50"), "loss": Decimal("1.00")}


def fen(value: Decimal) -> Decimal:
    """``value`` rounded half-up to the fen."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _percent(rate: Decimal) -> str:
    """``0.5`` -> ``50%``, ``0.015`` -> ``1.5%``."""
    text = f"{(rate * 100).normalize():f}"
    return f"{text}%"


def _amount(value: Decimal, name: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationFailed("{name} must be an amount in yuan.", field=name, name=name)
    return value


def _non_negative(value: Decimal, name: str) -> Decimal:
    if _amount(value, name) < 0:
        raise ValidationFailed("{name} cannot be negative.", field=name, name=name)
    return value


def _rate(value: Decimal, name: str, *, low: Decimal = Decimal(0)) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or not low <= value <= 1:
        raise ValidationFailed("The rate {name} must be between {low} and 1.", field=name, name=name, low=low)
    return value


@dataclass(frozen=True)
class Adjustment:
    """A reserve's period-end figures: the balance it must have (``required``), the balance carried on the books,
    and the voucher amount ``adjustment`` = required - carried (positive: provide; negative: release), in yuan;
    ``basis`` explains the figures in zh-CN, one line each."""

    required: Decimal
    carried: Decimal
    adjustment: Decimal
    basis: tuple[str, ...]


def unearned_premium(fee_income: Decimal, carried: Decimal, *, rate: Decimal = UNEARNED_RATE) -> Adjustment:
    """未到期责任准备金 at year end: ``rate`` (50 %) of the year's guarantee-fee income; the adjustment is the required
    balance minus the one carried."""
    income = _non_negative(fee_income, "fee_income")
    carried = _non_negative(carried, "carried")
    rate = _rate(rate, "rate")
    required = fen(income * rate)
    adjustment = required - fen(carried)
    return Adjustment(required, fen(carried), adjustment, (
        f"当年担保费收入 {yuan(income)} 元 × {_percent(rate)} = 应有未到期责任准备金 {yuan(required)} 元",
        f"账面余额 {yuan(carried)} 元，{_movement(adjustment)}",
    ))


@dataclass(frozen=True)
class CompensationProvision:
    """担保赔偿准备金 of one year: what is provided this year (``provision``, never negative), the accumulated
    balance before and after it, the floor (``rate`` of the liability balance) and the cap (10 % of it), in yuan."""

    provision: Decimal
    accumulated_before: Decimal
    accumulated_after: Decimal
    floor: Decimal
    cap: Decimal
    basis: tuple[str, ...]


def compensation_reserve(liability_balance: Decimal, accumulated: Decimal, *,
                         rate: Decimal = COMPENSATION_MIN_RATE,
                         cap_rate: Decimal = COMPENSATION_CAP_RATE) -> CompensationProvision:
    """担保赔偿准备金 for the year: ``rate`` (at least 1 %) of the year-end guarantee liability balance; once the
    accumulated reserve reaches ``cap_rate`` (10 %) of that balance only the difference up to it is provided, and
    nothing when it is already there or above (the reserve is not released by this rule)."""
    balance = _non_negative(liability_balance, "liability_balance")
    before = fen(_non_negative(accumulated, "accumulated"))
    rate = _rate(rate, "rate", low=COMPENSATION_MIN_RATE)
    cap_rate = _rate(cap_rate, "cap_rate", low=rate)
    floor, cap = fen(balance * rate), fen(balance * cap_rate)
    basis = [f"年末担保责任余额 {yuan(balance)} 元 × {_percent(rate)} = {yuan(floor)} 元；"
             f"× {_percent(cap_rate)} = 上限 {yuan(cap)} 元"]
    if before >= cap:
        provision = ZERO
        basis.append(f"累计担保赔偿准备金 {yuan(before)} 元已达到 {_percent(cap_rate)}，本年不再提取")
    elif before + floor > cap:
        provision = cap - before
        basis.append(f"累计 {yuan(before)} 元加 {_percent(rate)} 将超过 {_percent(cap_rate)}，差额提取 "
                     f"{yuan(cap)} − {yuan(before)} = {yuan(provision)} 元")
    else:
        provision = floor
        basis.append(f"累计 {yuan(before)} 元未达 {_percent(cap_rate)}，按 {_percent(rate)} 提取 {yuan(provision)} 元")
    return CompensationProvision(provision, before, before + provision, floor, cap, tuple(basis))


@dataclass(frozen=True)
class LoanLossProvision:
    """A microloan loss provision: the required balance by class (``by_class``: class -> (balance, rate,
    required)), their sum, the balance carried and the adjustment = required - carried, in yuan."""

    by_class: Mapping[str, tuple[Decimal, Decimal, Decimal]]
    required: Decimal
    carried: Decimal
    adjustment: Decimal
    basis: tuple[str, ...]


def loan_loss_provision(balances: Mapping[str, Decimal], carried: Decimal, *,
                        rates: Mapping[str, Decimal] = DEFAULT_LOAN_RATES) -> LoanLossProvision:
    """贷款损失准备 required = Σ balance of each class × its rate (each product rounded to the fen, then summed);
    the adjustment books required minus carried. ``balances`` and ``rates`` are keyed by the classes of
    :data:`LOAN_CLASSES`; a class without a balance counts zero."""
    unknown = sorted(set(balances) - set(LOAN_CLASSES))
    if unknown:
        raise ValidationFailed("Unknown loan class {name}.", field="balances", name=unknown[0])
    missing = [key for key in LOAN_CLASSES if key not in rates]
    if missing:
        raise ValidationFailed("No provision rate for the loan class {name}.", field="rates", name=missing[0])
    carried = fen(_non_negative(carried, "carried"))
    by_class, basis = {}, []
    for key, label in LOAN_CLASSES.items():
        balance = _non_negative(balances.get(key, ZERO), key)
        rate = _rate(rates[key], key)
        required = fen(balance * rate)
        by_class[key] = (balance, rate, required)
        if balance:
            basis.append(f"{label}类贷款余额 {yuan(balance)} 元 × {_percent(rate)} = {yuan(required)} 元")
    required = sum((entry[2] for entry in by_class.values()), ZERO)
    adjustment = required - carried
    basis.append(f"应有贷款损失准备 {yuan(required)} 元，账面余额 {yuan(carried)} 元，{_movement(adjustment)}")
    return LoanLossProvision(by_class, required, carried, adjustment, tuple(basis))


def _movement(adjustment: Decimal) -> str:
    """本期补提 / 冲回 the amount, or 本期无需调整."""
    if adjustment > 0:
        return f"本期补提 {yuan(adjustment)} 元"
    if adjustment < 0:
        return f"本期冲回 {yuan(-adjustment)} 元"
    return "本期无需调整"
