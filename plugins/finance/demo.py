"""The finance plugin's demo data (``surety demo``): the company's paid-in capital, so the books have the equity and
the bank balance a guarantee company starts from (and the regulator's net-asset base is not zero). The money events
of the other plugins' demos are booked by the rules as they happen; this is the one manual voucher: on 1 January of
the business year, Dr 银行存款 / Cr 实收资本 200,000,000.00 yuan, written as an imported opening balance (no maker:
the system, as event vouchers are; the demo runs before the guarantee demo creates the finance clerk), reviewed and
posted by the admin. Nothing when it is there already."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.context import acting
from surety.core.identity.auth import user_actor
from surety.core.identity.models import User
from surety.core.workflow.engine import business_today
from surety.plugins.finance.accounts.services import installed_template
from surety.plugins.finance.vouchers import services as vouchers
from surety.plugins.finance.vouchers.models import FinanceVoucher

SUMMARY = "注册资本金到位（演示期初）"
CAPITAL = Decimal("200000000.00")
#: Chart template -> (bank deposits, paid-in capital) codes.
CODES = {"guarantee_cas": ("1002", "4001"), "guarantee_legacy": ("1002", "3101"), "microloan": ("1002", "4001")}


def add_demo_finance(session: Session, tenant) -> FinanceVoucher | None:
    """The paid-in capital voucher, posted (module docstring); None when the tenant has no chart or it exists."""
    template = installed_template(session)
    if template not in CODES or session.scalar(select(FinanceVoucher.id).where(FinanceVoucher.summary == SUMMARY)):
        return None
    bank, capital = CODES[template]
    admin = user_actor(session.scalar(select(User).where(User.username == "admin")))
    on = dt.date(business_today().year, 1, 1)
    lines = [{"account": bank, "debit": CAPITAL}, {"account": capital, "credit": CAPITAL}]
    with acting(admin):
        voucher = vouchers.create_voucher(session, None, voucher_date=on, word="记", summary=SUMMARY, lines=lines)
        vouchers.review_voucher(session, admin, voucher.id)
        vouchers.post_voucher(session, admin, voucher.id)
    return voucher
