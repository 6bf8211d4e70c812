"""The re-guarantee money events booked by the finance plugin (its default rules, plugins/finance/rules/defaults.py):
every money event of plugins/reguarantee/events.py has a valid rule in both guarantee charts, and with finance
enabled a fee bill, its payment, a claim paid and a recovery settled each write a balanced voucher in their own
transaction, on the accounts and dimensions the rules name."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from surety.plugins.finance.rules import spec
from surety.plugins.finance.rules.defaults import RULES
from surety.plugins.finance.vouchers import services as vouchers
from surety.plugins.finance.vouchers.models import FinanceVoucher
from surety.plugins.reguarantee import events
from surety.plugins.reguarantee.claim import recoveries, services
from surety.plugins.reguarantee.filing import fees
from surety.plugins.reguarantee.testing import make_agreement, make_filing, make_partner
from surety.tenants.service import enable_plugin, sync_tenant

D = Decimal
ON = dt.date(2026, 11, 10)
MONEY_EVENTS = ("ReguaranteeFeeBilled", "ReguaranteeFeeReceived", "ReguaranteeClaimPaid",
                "ReguaranteeRecoverySettled")


def test_every_money_event_has_a_valid_rule_in_both_guarantee_charts():
    declared = {c.__name__ for c in vars(events).values()
                if isinstance(c, type) and dataclasses.is_dataclass(c) and "amount" in c.__dataclass_fields__}
    assert declared == set(MONEY_EVENTS)
    for chart in ("guarantee_cas", "guarantee_legacy"):
        rules = {r["event_type"]: r for r in RULES[chart]}
        for name in MONEY_EVENTS:
            lines = [spec.check_line(x) for x in rules[name]["lines"]]
            planned = spec.plan(lines, {"amount": "10.00", "bill_no": "B", "period": "P", "claim_no": "C"}, "s")
            assert sum(p.amount for p in planned if p.side == "debit") == D("10.00"), (chart, name)
            assert sum(p.amount for p in planned if p.side == "credit") == D("10.00"), (chart, name)


def _lines(s, event_type):
    (voucher,) = s.scalars(select(FinanceVoucher).where(FinanceVoucher.source_event_type == event_type)).all()
    got = vouchers.lines_of(s, [voucher.id])[voucher.id]
    assert sum(x.debit for x in got) == sum(x.credit for x in got) == voucher.total
    return voucher, [(x.account_code, x.debit, x.credit, x.customer_id, x.project_id) for x in got]


def test_paying_a_claim_and_the_fee_events_write_balanced_vouchers(db, cw):
    enable_plugin(db, cw.tenant.slug, "finance")
    sync_tenant(db, cw.tenant.slug)
    with cw.session() as s:
        partner = make_partner(s)
        filing = make_filing(s, make_agreement(s, partner), amount="10000000.00", cover_ratio=D("0.8"),
                             start_date=dt.date(2026, 3, 1), end_date=dt.date(2027, 2, 28))
        partner_id, filing_id = partner.id, filing.id
    with cw.acting("admin") as (s, a):
        (bill,) = fees.bill_period(s, a, "2026Q3", on=dt.date(2026, 10, 8)).bills
        fees.mark_paid(s, a, bill.id, dt.date(2026, 10, 20))
        bill_id = bill.id
    with cw.acting("mgr") as (s, a):
        claim = services.submit_claim(s, a, filing_id, {"compensated_on": ON, "compensated_amount": "6200000",
                                                        "unpaid_principal": "6000000"})
        claim_id, instance = claim.id, claim.workflow_instance_id
    for user in ("head", "risk", "boss"):
        cw.do(user, instance)
    with cw.acting("fin") as (s, a):
        services.pay_claim(s, a, claim_id, paid_on=dt.date(2026, 11, 20))
    with cw.acting("mgr") as (s, a):
        recovery_id = recoveries.report_recovery(s, a, claim_id, "1000000", dt.date(2026, 11, 25)).id
    with cw.acting("fin") as (s, a):
        recoveries.settle_recovery(s, a, recovery_id, dt.date(2026, 11, 30))
    with cw.acting("fin") as (s, a):
        paid, lines = _lines(s, "ReguaranteeClaimPaid")
        assert (paid.voucher_date, paid.total) == (dt.date(2026, 11, 20), D("960000.00"))
        assert lines == [("1221", D("960000.00"), 0, partner_id, filing_id),
                         ("1002", 0, D("960000.00"), partner_id, filing_id)]
        _v, lines = _lines(s, "ReguaranteeRecoverySettled")
        assert lines == [("1002", D("160000.00"), 0, partner_id, filing_id),
                         ("1221", 0, D("160000.00"), partner_id, filing_id)]
        billed, lines = _lines(s, "ReguaranteeFeeBilled")
        assert billed.word == "转" and lines == [("1122", D("2520.54"), 0, partner_id, bill_id),
                                                 ("6031", 0, D("2520.54"), partner_id, bill_id)]
        _v, lines = _lines(s, "ReguaranteeFeeReceived")
        assert [x[:3] for x in lines] == [("1002", D("2520.54"), 0), ("1122", 0, D("2520.54"))]
