"""The door between the ``regulatory`` plugin and the business plugins that report to it (docs/regulatory/README.md,
"Figures"). The regulatory plugin never reads another plugin's tables: each business plugin answers the hooks the
regulatory plugin declares (plugins/regulatory/hookspecs.py) with the plain values defined here, and the functions
here call those hooks for the plugins enabled for the session's tenant. Nothing here imports a plugin, so guarantee,
microloan and finance import this module, never the regulatory plugin.

Two kinds of answer:

- :class:`Figure`: a measure (a key of :data:`MEASURES`, or a plugin's own key) with its value and dimensions, for a
  business date. A *stock* measure is the value at the end of ``as_of``; a *flow* measure sums what happened on the
  business dates ``period_start`` .. ``as_of`` inclusive. Both are rebuilt from recorded history, so a past date
  gives what the records said of that date (a backdated correction shows in every later call).
- :class:`Exposure`: an in-force guarantee balance of one customer in one business and customer type at the end of
  ``as_of`` (aggregated per customer, type and rating by the plugin), the gross balance with the bank's and the
  re-guarantors' shares beside it, for the liability balance's weights and the concentration limits.
- :class:`ExposureBand`: exposures summed over customers by business type, customer type, rating and *band* (where
  each customer's aggregated balance of the business type falls among the thresholds' cut points), which is all the
  liability balance's weights need; a report reads these instead of one row per customer.

A report reads several dates at once through :func:`report_batch` (hook ``regulatory_report_batch``): a plugin may
answer every date in one call (one scan of its records); a plugin that does not is asked date by date through
``regulatory_report_figures`` and ``regulatory_exposures``, its exposures banded here (:func:`bands_of`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from surety.core.hooks import declared, tenant_hook, tenant_hook_each

ZERO = Decimal("0.00")


@dataclasses.dataclass(frozen=True)
class Measure:
    """A measure of the catalogue: its zh-CN label, ``stock`` or ``flow`` and its unit (``yuan``, ``count`` 笔,
    ``households`` 户)."""

    label: str
    kind: str
    unit: str


#: The measures the built-in plugins report, by key. Dimensions named in the label's note: ``business_type`` (a key
#: of BUSINESS_TYPES), ``customer_type`` (CUSTOMER_TYPES), ``asset_class`` (I/II/III), ``loan_class`` (the five
#: categories). A plugin may report keys of its own (a report form's row names the key it sums).
MEASURES: dict[str, Measure] = {
    # guarantee (by business_type and customer_type)
    "guarantee.in_force_balance": Measure("在保余额", "stock", "yuan"),
    "guarantee.in_force_count": Measure("在保笔数", "stock", "count"),
    "guarantee.in_force_households": Measure("在保户数", "stock", "households"),
    "guarantee.issued_amount": Measure("新增担保额", "flow", "yuan"),
    "guarantee.issued_count": Measure("新增担保笔数", "flow", "count"),
    "guarantee.issued_households": Measure("新增担保户数", "flow", "households"),
    "guarantee.released_amount": Measure("解除担保额", "flow", "yuan"),
    "guarantee.compensation_amount": Measure("代偿额", "flow", "yuan"),
    "guarantee.recovery_amount": Measure("代偿回收额", "flow", "yuan"),
    "guarantee.loss_amount": Measure("代偿损失核销额", "flow", "yuan"),
    "guarantee.compensation_balance": Measure("代偿余额", "stock", "yuan"),
    # finance (from the ledger's accounts)
    "finance.paid_in_capital": Measure("实收资本", "stock", "yuan"),
    "finance.total_assets": Measure("资产总额", "stock", "yuan"),
    "finance.net_assets": Measure("净资产", "stock", "yuan"),
    "finance.equity_in_guarantee_companies": Measure("对其他融资担保公司的股权投资", "stock", "yuan"),
    "finance.compensation_receivable": Measure("应收代偿款", "stock", "yuan"),
    "finance.assets_by_class": Measure("按类别划分的资产（Ⅰ/Ⅱ/Ⅲ级）", "stock", "yuan"),
    "finance.unearned_premium_reserve": Measure("未到期责任准备金", "stock", "yuan"),
    "finance.compensation_reserve": Measure("担保赔偿准备金", "stock", "yuan"),
    # microloan (by loan_class where it applies)
    "microloan.loan_balance": Measure("贷款余额", "stock", "yuan"),
    "microloan.loan_count": Measure("贷款笔数", "stock", "count"),
    "microloan.disbursed_amount": Measure("贷款发放额", "flow", "yuan"),
    "microloan.disbursed_count": Measure("贷款发放笔数", "flow", "count"),
    "microloan.provision_balance": Measure("贷款损失准备余额", "stock", "yuan"),
}

#: Business types of an exposure -> (zh-CN label, financing guarantee?). Non-financing guarantees are reported
#: separately and not weighted into the liability balance.
BUSINESS_TYPES: dict[str, tuple[str, bool]] = {
    "loan": ("借款类担保", True),
    "housing": ("住房置业担保", True),
    "bond": ("发行债券担保", True),
    "fund_trust": ("基金、信托、资管计划及资产证券化担保", True),
    "other_financing": ("其他融资担保", True),
    "bid": ("投标担保", False),
    "performance": ("履约担保", False),
    "litigation": ("诉讼保全担保", False),
    "other_non_financing": ("其他非融资担保", False),
}
#: Customer types of an exposure -> zh-CN label.
CUSTOMER_TYPES: dict[str, str] = {
    "small_micro": "小微企业",
    "farmer": "农户",
    "other_enterprise": "其他企业",
    "individual": "个人",
}


@dataclasses.dataclass(frozen=True)
class Figure:
    """A measure's value for a business date, with its dimensions as sorted ``(name, value)`` pairs."""

    measure: str
    value: Decimal
    dims: tuple[tuple[str, str], ...] = ()

    def dim(self, name: str) -> str | None:
        return dict(self.dims).get(name)


def figure(measure: str, value: Decimal | int, **dims: str) -> Figure:
    """A :class:`Figure` with its dimensions given as keywords (``figure("guarantee.in_force_balance", v,
    business_type="loan", customer_type="small_micro")``)."""
    return Figure(measure, Decimal(value), tuple(sorted(dims.items())))


@dataclasses.dataclass(frozen=True)
class Exposure:
    """One customer's in-force guarantees of one business and customer type (and bond rating) at a date: ``gross``
    the in-force balance, ``bank_share`` the part of it the lending bank bears (deducted before weighting),
    ``reguaranteed`` the part re-guarantors bear, ``count`` the guarantees aggregated. ``customer_id`` is the
    customers plugin's id (related parties come from there); ``rating`` the bond issuer's rating (AA, AA+, ...)."""

    customer_id: uuid.UUID
    business_type: str
    customer_type: str
    gross: Decimal
    bank_share: Decimal = ZERO
    reguaranteed: Decimal = ZERO
    rating: str | None = None
    count: int = 1

    @property
    def financing(self) -> bool:
        return BUSINESS_TYPES.get(self.business_type, ("", True))[1]


@dataclasses.dataclass(frozen=True)
class ExposureBand:
    """In-force exposures of one business type, customer type and rating summed over the customers whose aggregated
    balance of that business type (over all their exposures of it, ``gross`` or ``own`` share: gross less the bank's
    share, by the basis asked for) falls in band ``band`` of the cut points asked for: band 0 is at most the first
    cut, band ``i`` above cut ``i - 1`` and at most cut ``i``, band ``len(cuts)`` above every cut. ``gross``,
    ``bank_share``, ``reguaranteed`` and ``count`` as in :class:`Exposure`, summed."""

    business_type: str
    customer_type: str
    band: int
    gross: Decimal
    bank_share: Decimal = ZERO
    reguaranteed: Decimal = ZERO
    rating: str | None = None
    count: int = 0

    @property
    def financing(self) -> bool:
        return BUSINESS_TYPES.get(self.business_type, ("", True))[1]


@dataclasses.dataclass(frozen=True)
class PeriodReport:
    """One plugin's answer for one ``(as_of, period_start)`` of a batch: its figures (as ``regulatory_report_figures``
    gives them for those dates) and its in-force exposures at the end of ``as_of`` as bands."""

    as_of: dt.date
    period_start: dt.date
    figures: tuple[Figure, ...]
    bands: tuple[ExposureBand, ...]


#: Threshold bases of :func:`band_of`: the customer's aggregated gross balance, or its own share (gross less the
#: bank's share).
BASES = ("gross", "own")


def band_of(aggregated: Decimal, cuts: Sequence[Decimal]) -> int:
    """The band of an aggregated balance among the ascending ``cuts`` (see :class:`ExposureBand`): how many cuts it
    is above (a balance equal to a cut is in that cut's band: thresholds are inclusive)."""
    return sum(1 for cut in cuts if aggregated > cut)


def bands_of(exposures: Iterable[Exposure], cuts: Sequence[Decimal], basis: str) -> list[ExposureBand]:
    """Exposures summed into bands: each customer's aggregated balance per business type (``gross``, or ``own``:
    gross less the bank's share) placed among ``cuts``, then gross, shares and counts summed per business type,
    customer type, rating and band (what a plugin's ``regulatory_report_batch`` answers, computed from its
    per-customer exposures)."""
    items = list(exposures)
    aggregated: dict[tuple, Decimal] = {}
    for e in items:
        key = (e.customer_id, e.business_type)
        aggregated[key] = aggregated.get(key, ZERO) + (e.gross - e.bank_share if basis == "own" else e.gross)
    sums: dict[tuple, list] = {}
    for e in items:
        band = band_of(aggregated[(e.customer_id, e.business_type)], cuts)
        group = (e.business_type, e.customer_type, e.rating, band)
        acc = sums.setdefault(group, [ZERO, ZERO, ZERO, 0])
        acc[0] += e.gross
        acc[1] += e.bank_share
        acc[2] += e.reguaranteed
        acc[3] += e.count
    return [ExposureBand(btype, ctype, band, gross, share, reg, rating, count)
            for (btype, ctype, rating, band), (gross, share, reg, count) in sorted(sums.items(), key=_band_order)]


def _band_order(item) -> tuple:
    (btype, ctype, rating, band), _ = item
    return btype, ctype, rating or "", band


#: Credit-reporting account events (二代征信 guarantee accounts) -> zh-CN label.
CREDIT_EVENT_KINDS: dict[str, str] = {
    "opened": "开立（担保责任生效）",
    "balance_changed": "在保余额变动",
    "class_changed": "五级分类变动",
    "closed": "担保责任解除（关闭）",
    "collection_opened": "代偿后开立追偿账户",
    "collection_changed": "追偿账户余额变动",
}


@dataclasses.dataclass(frozen=True)
class CreditEvent:
    """One event of a guarantee account for the credit-reporting file (a kind of CREDIT_EVENT_KINDS) on a business
    date: ``account`` the plugin's account number (a collection account is the guarantee's with ``-ZC``),
    ``amount`` what moved, ``balance`` the account's balance after it, ``risk_class`` the five-category class in force
    after it; ``customer_id`` the customers plugin's id."""

    kind: str
    day: dt.date
    account: str
    customer_id: uuid.UUID
    business_type: str
    amount: Decimal
    balance: Decimal
    risk_class: str


def _answers(session: Session, name: str, **kwargs) -> list:
    if not declared(name):  # the regulatory plugin is not installed: nobody asks, nobody answers
        return []
    return [a for a in tenant_hook(session, name)(session=session, **kwargs) if a]


def report_figures(session: Session, as_of: dt.date, period_start: dt.date) -> list[Figure]:
    """Every enabled plugin's figures for ``as_of`` (stocks) and ``period_start`` .. ``as_of`` (flows)."""
    return [f for answer in _answers(session, "regulatory_report_figures", as_of=as_of, period_start=period_start)
            for f in answer]


def exposures(session: Session, as_of: dt.date) -> list[Exposure]:
    """Every enabled plugin's exposures at the end of ``as_of``."""
    return [e for answer in _answers(session, "regulatory_exposures", as_of=as_of) for e in answer]


def report_batch(session: Session, periods: Sequence[tuple[dt.date, dt.date]], cuts: Sequence[Decimal],
                 basis: str) -> dict[tuple[dt.date, dt.date], PeriodReport]:
    """Every enabled plugin's figures and exposure bands for each ``(as_of, period_start)`` of ``periods``, merged
    per period: a plugin answering hook ``regulatory_report_batch`` is asked once for all of them; any other is
    asked per period (``regulatory_report_figures``, ``regulatory_exposures`` banded by :func:`bands_of`). ``cuts``
    are sorted ascending; ``basis`` is one of :data:`BASES`."""
    wanted = list(dict.fromkeys(periods))
    cuts = sorted(set(cuts))
    figures: dict[tuple, list[Figure]] = {p: [] for p in wanted}
    bands: dict[tuple, list[ExposureBand]] = {p: [] for p in wanted}
    if not wanted:
        return {}
    batch = dict(tenant_hook_each(session, "regulatory_report_batch")) if declared("regulatory_report_batch") else {}
    per_figures = dict(tenant_hook_each(session, "regulatory_report_figures")) \
        if declared("regulatory_report_figures") else {}
    per_exposures = dict(tenant_hook_each(session, "regulatory_exposures")) \
        if declared("regulatory_exposures") else {}
    for key in dict.fromkeys([*batch, *per_figures, *per_exposures]):
        answered = None
        if key in batch:
            answered = next((a for a in batch[key](session=session, periods=wanted, cuts=cuts, basis=basis)
                             if a is not None), None)
        if answered is not None:
            for report in answered:
                figures[(report.as_of, report.period_start)].extend(report.figures)
                bands[(report.as_of, report.period_start)].extend(report.bands)
            continue
        for as_of, start in wanted:
            if key in per_figures:
                figures[(as_of, start)].extend(f for answer in per_figures[key](
                    session=session, as_of=as_of, period_start=start) if answer for f in answer)
            if key in per_exposures:
                found = [e for answer in per_exposures[key](session=session, as_of=as_of) if answer for e in answer]
                bands[(as_of, start)].extend(bands_of(found, cuts, basis))
    return {p: PeriodReport(p[0], p[1], tuple(figures[p]), tuple(bands[p])) for p in wanted}


def proposed_exposures(session: Session, subject_type: str, subject_id: str) -> list[Exposure] | None:
    """What approving the workflow subject would add to the exposures (None: no plugin knows the subject)."""
    if not declared("regulatory_proposed_exposures"):
        return None
    return tenant_hook(session, "regulatory_proposed_exposures")(session=session, subject_type=subject_type,
                                                                 subject_id=subject_id)


def customer_exposures(session: Session, as_of: dt.date, customer_ids: Iterable[uuid.UUID]) -> list[Exposure]:
    """Every enabled plugin's exposures at the end of ``as_of`` of the customers ``customer_ids`` only (what
    :func:`exposures` gives for them)."""
    wanted = frozenset(customer_ids)
    if not wanted:
        return []
    return [e for answer in _answers(session, "regulatory_customer_exposures", as_of=as_of, customer_ids=wanted)
            for e in answer]


def book_versions(session: Session) -> dict[str, str | None]:
    """Per enabled plugin (its key), its token of hook ``regulatory_book_version`` (None: it keeps none)."""
    if not declared("regulatory_book_version"):
        return {}
    found: dict[str, str | None] = {}
    for key, caller in tenant_hook_each(session, "regulatory_book_version"):
        answers = [a for a in caller(session=session) if a is not None]
        found[key] = str(answers[0]) if answers else None
    return found


def credit_events(session: Session, period_start: dt.date, period_end: dt.date) -> list[CreditEvent]:
    """Every enabled plugin's credit-reporting account events dated ``period_start`` .. ``period_end``."""
    return [e for answer in _answers(session, "regulatory_credit_events", period_start=period_start,
                                     period_end=period_end) for e in answer]


def total(figures: Iterable[Figure], measure: str, **dims: str) -> Decimal:
    """The sum of ``measure`` over the figures whose dimensions include ``dims``."""
    want = set(dims.items())
    return sum((f.value for f in figures if f.measure == measure and want <= set(f.dims)), ZERO)
