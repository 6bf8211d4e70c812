"""The finance plugin's figures for the regulatory plugin (hook ``regulatory_report_figures``, answered in plugin.py):
the ``finance.*`` measures of core/ports/regulatory.py, from the posted voucher lines dated on or before ``as_of``
(a voucher dated earlier but posted later shows in every later call). docs/regulatory/measures.md, "Finance figures".

One aggregate query (lines joined to their vouchers, GROUP BY account code) and the tenant's accounts; each code is
read through the mapping tables below, for the chart template the tenant installed (a sub-account takes the row of
its longest listed prefix: ``100201`` a bank account is ``1002``'s). Balances are signed on the account's side:
assets debit minus credit (a contra asset such as 坏账准备 is negative), liabilities credit minus debit.

- total assets: every asset-category account; liabilities: every liability-category account; net assets = total
  assets - liabilities (before the year's profit is closed into equity, the income and cost accounts' balances
  are part of it, as they are of the equity they will become);
- compensation receivable (应收代偿款): the codes of :data:`COMPENSATION_RECEIVABLE` (net of its own allowance in the
  older chart);
- asset classes (《融资担保公司资产比例管理办法》2018): :data:`ASSET_CLASSES`, every other asset account class III;
  the compensation receivable is in no class (the ratios' base leaves it out);
- equity in other guarantee companies: the codes of :data:`EQUITY_IN_GUARANTEE_COMPANIES` (a sub-account the
  tenant opens under 长期股权投资: no template ships one);
- the reserves and the paid-in capital: :data:`RESERVES`, :data:`PAID_IN_CAPITAL`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import and_, func, select, type_coerce
from sqlalchemy.orm import Session

from surety.core.db.types import Money
from surety.core.ports.regulatory import Figure, figure
from surety.plugins.finance.accounts.models import FinanceAccount
from surety.plugins.finance.accounts.services import installed_template
from surety.plugins.finance.accounts.templates import DEFAULT_TEMPLATE, GUARANTEE_CAS, GUARANTEE_LEGACY, MICROLOAN
from surety.plugins.finance.vouchers.models import POSTED, FinanceVoucher, FinanceVoucherLine

ZERO = Decimal("0.00")
I, II, III = "I", "II", "III"  # noqa: E741 - the regulation names the classes so

#: Asset class by account code prefix, per chart template. Class I: cash (库存现金), bank deposits (银行存款),
#: deposits placed as margin with banks (存出保证金); class II: bonds held to maturity (持有至到期投资: in practice
#: government, policy-bank and AA+ or better bonds; a tenant holding lower-rated bonds opens a sub-account and lists
#: it as III), equity in other guarantee companies; class III: every other asset account (receivables, prepayments,
#: fixed assets, loans, allowances and depreciation as negatives).
ASSET_CLASSES: Mapping[str, Mapping[str, str]] = {
    GUARANTEE_CAS.key: {"1001": I, "1002": I, "1031": I, "1501": II, "151101": II},
    GUARANTEE_LEGACY.key: {"1001": I, "1002": I, "140101": II},
    MICROLOAN.key: {"1001": I, "1002": I},
}
#: 应收代偿款 (and, in the older chart, its allowance 代偿损失准备, so the figure is net).
COMPENSATION_RECEIVABLE: Mapping[str, tuple[str, ...]] = {
    GUARANTEE_CAS.key: ("1221",), GUARANTEE_LEGACY.key: ("1231", "1232"), MICROLOAN.key: (),
}
#: 对其他融资担保公司（再担保公司）的股权投资: a sub-account of 长期股权投资 (1511 in 企业会计准则, 1401 长期投资 in
#: the older chart) the tenant opens with this code.
EQUITY_IN_GUARANTEE_COMPANIES: Mapping[str, tuple[str, ...]] = {
    GUARANTEE_CAS.key: ("151101",), GUARANTEE_LEGACY.key: ("140101",), MICROLOAN.key: (),
}
#: 未到期责任准备金 and 担保赔偿准备金 by measure key.
RESERVES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    GUARANTEE_CAS.key: {"finance.unearned_premium_reserve": ("2601",), "finance.compensation_reserve": ("2602",)},
    GUARANTEE_LEGACY.key: {"finance.unearned_premium_reserve": ("2192",),
                           "finance.compensation_reserve": ("2193",)},
    MICROLOAN.key: {},
}
#: 实收资本.
PAID_IN_CAPITAL: Mapping[str, tuple[str, ...]] = {
    GUARANTEE_CAS.key: ("4001",), GUARANTEE_LEGACY.key: ("3101",), MICROLOAN.key: ("4001",),
}


def _under(code: str, prefixes) -> bool:
    return any(code.startswith(p) for p in prefixes)


def asset_class(template: str, code: str) -> str:
    """The class of asset account ``code`` under ``template``'s table (longest listed prefix; III when none)."""
    table = ASSET_CLASSES.get(template, {})
    found = [p for p in table if code.startswith(p)]
    return table[max(found, key=len)] if found else III


def balances(session: Session, as_of: dt.date) -> dict[str, Decimal]:
    """Debit minus credit per account code over the posted lines of vouchers dated on or before ``as_of``."""
    line, voucher = FinanceVoucherLine, FinanceVoucher
    stmt = (select(line.account_code, type_coerce(func.sum(line.debit - line.credit), Money()))
            .join(voucher, and_(voucher.tenant_id == line.tenant_id, voucher.id == line.voucher_id))
            .where(voucher.status == POSTED, voucher.voucher_date <= as_of)
            .group_by(line.account_code))
    return {code: Decimal(net or 0) for code, net in session.execute(stmt)}


def _category(code: str, categories: Mapping[str, str]) -> str | None:
    while code:
        if code in categories:
            return categories[code]
        code = code[:-2] if len(code) > 4 else ""
    return None


def report_figures(session: Session, as_of: dt.date, period_start: dt.date) -> list[Figure]:
    """The ``finance.*`` stock measures at the end of ``as_of`` (the finance measures have no flows, so
    ``period_start`` is not read)."""
    template = installed_template(session) or DEFAULT_TEMPLATE
    categories = dict(session.execute(select(FinanceAccount.code, FinanceAccount.category)).all())
    assets = liabilities = receivable = equity_in = ZERO
    classes = {I: ZERO, II: ZERO, III: ZERO}
    credit: dict[str, Decimal] = {}
    for code, net in balances(session, as_of).items():
        category = _category(code, categories)
        credit[code] = -net
        if category == "asset":
            assets += net
            if _under(code, COMPENSATION_RECEIVABLE.get(template, ())):
                receivable += net
                continue
            if _under(code, EQUITY_IN_GUARANTEE_COMPANIES.get(template, ())):
                equity_in += net
            classes[asset_class(template, code)] += net
        elif category == "liability":
            liabilities -= net

    def credit_sum(prefixes) -> Decimal:
        return sum((v for code, v in credit.items() if _under(code, prefixes)), ZERO)

    found = [
        figure("finance.total_assets", assets),
        figure("finance.net_assets", assets - liabilities),
        figure("finance.compensation_receivable", receivable),
        figure("finance.equity_in_guarantee_companies", equity_in),
        figure("finance.paid_in_capital", credit_sum(PAID_IN_CAPITAL.get(template, ()))),
        *(figure("finance.assets_by_class", v, asset_class=k) for k, v in classes.items()),
    ]
    found += [figure(measure, credit_sum(codes)) for measure, codes in RESERVES.get(template, {}).items()]
    return found
