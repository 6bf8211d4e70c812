"""Recoveries on paid claims (claim/recoveries.py): our part in the ratio the loss was shared (paid / unpaid
principal = fraction x cover for a claim paid as claimed: 100万 recovered on the 96万 claim -> 16万), cumulative
rounding, cumulative parts at most what was paid, settlement raising ReguaranteeRecoverySettled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.plugins.reguarantee.claim import recoveries, services
from surety.plugins.reguarantee.claim.models import ReguaranteeClaim
from surety.plugins.reguarantee.testing import make_agreement, make_filing, make_partner

D = Decimal
ON = dt.date(2026, 11, 10)


def _paid_claim(w, amount=None):
    with w.session() as s:
        filing = make_filing(s, make_agreement(s, make_partner(s)), amount="10000000.00", cover_ratio=D("0.8"))
        filing_id = filing.id
    with w.acting("mgr") as (s, a):
        claim = services.submit_claim(s, a, filing_id, {"compensated_on": ON, "compensated_amount": "6200000",
                                                        "unpaid_principal": "6000000"})
        claim_id, instance = claim.id, claim.workflow_instance_id
    for user in ("head", "risk", "boss"):
        w.do(user, instance)
    with w.acting("fin") as (s, a):
        services.pay_claim(s, a, claim_id, paid_on=ON, amount=amount)
    return claim_id


def test_our_part_is_the_ratio_the_loss_was_shared():
    # paid as claimed: 960,000 / 6,000,000 = 0.16 = the fraction 0.2 x the cover 0.8
    assert recoveries.share_ratio(D("960000.00"), D("6000000.00")) == D("0.2") * D("0.8")
    assert recoveries.our_part(D(0), D("1000000.00"), D("960000.00"), D("6000000.00")) == D("160000.00")
    # cumulative rounding: 0.03 three times at 0.16 -> 0.00, 0.01, 0.00 (0.09 x 0.16 = 0.0144 -> 0.01 in all)
    parts = [recoveries.our_part(D("0.03") * n, D("0.03"), D("960000.00"), D("6000000.00")) for n in range(3)]
    assert parts == [D("0.00"), D("0.01"), D("0.00")] and sum(parts) == D("0.01")


def test_recoveries_reported_shared_capped_and_settled(cw):
    claim_id = _paid_claim(cw)
    with cw.acting("mgr") as (s, a):
        first = recoveries.report_recovery(s, a, claim_id, "1000000", dt.date(2026, 11, 25))
        assert (first.amount, first.share_amount, first.status) == (D("1000000.00"), D("160000.00"), "reported")
        with pytest.raises(ValidationFailed, match="would be more than the 960,000.00 paid"):
            recoveries.report_recovery(s, a, claim_id, "5000000.04", dt.date(2026, 11, 26))
        last = recoveries.report_recovery(s, a, claim_id, "5000000", dt.date(2026, 11, 26))
        assert last.share_amount == D("800000.00")
        first_id = first.id
    with cw.acting("mgr") as (s, a):
        with pytest.raises(PermissionDenied):
            recoveries.settle_recovery(s, a, first_id, dt.date(2026, 11, 30))
    with cw.acting("fin") as (s, a):
        done = recoveries.settle_recovery(s, a, first_id, dt.date(2026, 11, 30))
        assert (done.status, done.settled_on) == ("settled", dt.date(2026, 11, 30))
        (event,) = s.scalars(select(OutboxEvent)
                             .where(OutboxEvent.event_type == "ReguaranteeRecoverySettled")).all()
        assert (event.payload["amount"], event.payload["settled_on"]) == ("160000.00", "2026-11-30")
        with pytest.raises(Conflict, match="already been settled"):
            recoveries.settle_recovery(s, a, first_id, dt.date(2026, 11, 30))
        assert [r.share_amount for r in recoveries.claim_recoveries(s, a, claim_id)] == [D("160000.00"),
                                                                                        D("800000.00")]


def test_a_claim_paid_lower_shares_back_in_the_lower_ratio(cw):
    claim_id = _paid_claim(cw, amount="600000")  # 600,000 / 6,000,000 = 0.10
    with cw.acting("mgr") as (s, a):
        assert recoveries.report_recovery(s, a, claim_id, "1000000", ON).share_amount == D("100000.00")


def test_only_a_paid_claim_has_recoveries(cw):
    with cw.session() as s:
        filing_id = make_filing(s, make_agreement(s, make_partner(s))).id
    with cw.acting("mgr") as (s, a):
        claim = services.submit_claim(s, a, filing_id, {"compensated_on": ON, "compensated_amount": "100",
                                                        "unpaid_principal": "100"})
        with pytest.raises(Conflict, match="on a paid claim"):
            recoveries.report_recovery(s, a, claim.id, "10", ON)
        assert s.scalar(select(ReguaranteeClaim.status).where(ReguaranteeClaim.id == claim.id)) == "in_review"
