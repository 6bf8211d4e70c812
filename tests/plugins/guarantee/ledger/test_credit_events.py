"""The guarantee-account events of a period for the credit-reporting file (plugins/guarantee/ledger/credit_events.py,
hook ``regulatory_credit_events``), on a hand-worked ledger:

A: loan 1,000,000 on 2026-10-20 (before the period); repaid 300,000 on 11-05; classified 关注 on 11-10 (Beijing
   date; decided 16:30 UTC on 11-09); compensation on 11-20 on a claim of 700,000 principal of which the company
   paid 560,000 -> closed, collection account opened at 560,000; recovered 60,000 on 11-25; written off 10,000 on
   12-02 (after the period).
B: letter of guarantee 300,000 on 11-12; full release on 11-28.
C: loan 200,000 on 2026-09-01, nothing in November: no event."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from surety.core.ports import regulatory as port
from surety.plugins.guarantee.ledger import credit_events as ce
from surety.plugins.guarantee.ledger.models import GuaranteeLedgerEntry
from surety.plugins.guarantee.testing import make_product, make_project
from surety.plugins.guarantee.warnings.models import GuaranteeClassificationChange

D, Y = dt.date, Decimal
NOV = (D(2026, 11, 1), D(2026, 11, 30))


def _entry(s, project, kind, amount, day, detail="", **parts):
    s.add(GuaranteeLedgerEntry(project_id=project.id, kind=kind, amount=Y(amount), entry_date=day, source_type="test",
                               source_id=uuid.uuid4(), detail=detail, **{k: Y(v) for k, v in parts.items()}))
    s.flush()


def _book(gw):
    with gw.acting("mgr") as (s, a):
        corp = gw.customers["corp"]
        loan, letter = make_product(s), make_product(s, kind="performance")
        pa = make_project(s, a, corp, product=loan, status="effective", amount="1000000.00")
        pb = make_project(s, a, corp, product=letter, status="effective", amount="300000.00")
        pc = make_project(s, a, corp, product=loan, status="effective", amount="200000.00")
        pa.project_no, pb.project_no, pc.project_no = "DB-A", "DB-B", "DB-C"
        _entry(s, pa, "loan", "1000000.00", D(2026, 10, 20))
        _entry(s, pa, "repayment", "300000.00", D(2026, 11, 5))
        s.add(GuaranteeClassificationChange(project_id=pa.id, from_class="normal", to_class="special_mention",
                                            reason="逾期", status="approved",
                                            decided_at=dt.datetime(2026, 11, 9, 16, 30, tzinfo=dt.UTC)))
        _entry(s, pa, "compensation", "560000.00", D(2026, 11, 20), principal="700000.00", bank_share="140000.00")
        _entry(s, pa, "recovery", "60000.00", D(2026, 11, 25))
        _entry(s, pa, "write_off", "10000.00", D(2026, 12, 2))
        _entry(s, pb, "loan", "300000.00", D(2026, 11, 12))
        _entry(s, pb, "release", "300000.00", D(2026, 11, 28), "full")
        _entry(s, pc, "loan", "200000.00", D(2026, 9, 1))
        return corp


def test_the_events_of_november(gw):
    corp = _book(gw)
    with gw.session() as s:
        events = ce.credit_events(s, *NOV)
    assert [(e.day, e.account, e.kind, e.amount, e.balance, e.risk_class) for e in events] == [
        (D(2026, 11, 5), "DB-A", "balance_changed", Y("300000.00"), Y("700000.00"), "normal"),
        (D(2026, 11, 10), "DB-A", "class_changed", Y("0.00"), Y("700000.00"), "special_mention"),
        (D(2026, 11, 12), "DB-B", "opened", Y("300000.00"), Y("300000.00"), "normal"),
        (D(2026, 11, 20), "DB-A", "closed", Y("700000.00"), Y("0.00"), "special_mention"),
        (D(2026, 11, 20), "DB-A-ZC", "collection_opened", Y("560000.00"), Y("560000.00"), "special_mention"),
        (D(2026, 11, 25), "DB-A-ZC", "collection_changed", Y("60000.00"), Y("500000.00"), "special_mention"),
        (D(2026, 11, 28), "DB-B", "closed", Y("300000.00"), Y("0.00"), "normal"),
    ]
    assert {e.customer_id for e in events} == {corp}
    assert {e.account: e.business_type for e in events} == {"DB-A": "loan", "DB-A-ZC": "loan", "DB-B": "performance"}


def test_the_hook_answers_through_the_port_and_a_quiet_period_has_none(gw):
    _book(gw)
    with gw.session() as s:
        through_port = port.credit_events(s, *NOV)  # regulatory_credit_events of the enabled plugins
        assert through_port == ce.credit_events(s, *NOV) and len(through_port) == 7
        assert ce.credit_events(s, D(2026, 8, 1), D(2026, 8, 31)) == []
        december = ce.credit_events(s, D(2026, 12, 1), D(2026, 12, 31))
    assert [(e.account, e.kind, e.balance) for e in december] == [("DB-A-ZC", "collection_changed", Y("490000.00"))]
