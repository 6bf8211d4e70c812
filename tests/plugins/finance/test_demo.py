"""The demo with finance enabled (``surety demo`` enables every installed plugin): the paid-in capital voucher is
posted (an opening balance written by the system, reviewed and posted by the admin), the guarantee demo's money
events are booked as vouchers as they happen (one per event with a rule), the trial balance with unposted vouchers
balances, and a later ``surety tenant sync`` backfills nothing more."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from sqlalchemy import func, select

from surety.core.events_models import OutboxEvent
from surety.core.workflow.engine import business_today
from surety.plugins.finance.demo import SUMMARY
from surety.plugins.finance.ledger import services as ledger
from surety.plugins.finance.rules import services as rules
from surety.plugins.finance.rules.models import FinanceVoucherRule
from surety.plugins.finance.vouchers.models import FinanceVoucher
from surety.plugins.finance.vouchers.services import period_of
from surety.tenants.demo import add_demo_data
from surety.tenants.service import sync_tenant


def test_the_demo_books_every_money_event(db, make_tenant, world_of):
    tenant = make_tenant(slug=f"demo-{secrets.token_hex(3)}", plugins=["customers", "guarantee", "finance"])
    with db.tenant_session(tenant.id) as s:
        add_demo_data(s, tenant)
    sync_tenant(db, tenant.slug)
    w = world_of(tenant)
    with w.acting("admin") as (s, a):
        types = set(s.scalars(select(FinanceVoucherRule.event_type)))
        events = s.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.event_type.in_(types)))
        booked = s.scalar(select(func.count()).select_from(FinanceVoucher).where(FinanceVoucher.summary != SUMMARY))
        assert events > 0 and booked == events
        opening = s.scalars(select(FinanceVoucher).where(FinanceVoucher.summary == SUMMARY)).one()
        assert (opening.status, opening.total, opening.voucher_date) == (
            "posted", Decimal("200000000.00"), dt.date(business_today().year, 1, 1))
        assert opening.maker_id is None and opening.reviewer_id == opening.poster_id == w.uid("admin")
        periods = sorted(set(s.scalars(select(FinanceVoucher.period))) | {period_of(business_today())})
        for period in periods:
            assert ledger.trial_balance(s, a, period, include_unposted=True).balanced, period
        assert rules.backfill(s) == rules.Backfill(0, 0)
