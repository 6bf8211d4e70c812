"""Compensation claims (claim/services.py, claim/process.py) through the services, with the worked numbers of
docs/reguarantee/claims.md: 1000万 guaranteed 40:20:20:20, unpaid principal 600万, cover 0.8 -> base 480万 -> claim
96万; the filing released by compensation on submission; one standing claim per filing; the review 受理 -> 审核 ->
审批 through the workflow engine; payment at most the approved amount, raising ReguaranteeClaimPaid."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.plugins.reguarantee.claim import services
from surety.plugins.reguarantee.claim.models import ReguaranteeClaim
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.testing import make_agreement, make_filing, make_partner

D = Decimal
ON = dt.date(2026, 11, 10)
CLAIM = {"compensated_on": ON, "compensated_amount": "6200000.00", "unpaid_principal": "6000000.00"}


def _filing(w, status="confirmed", **extra):
    with w.session() as s:
        agreement = make_agreement(s, make_partner(s))
        return make_filing(s, agreement, amount="10000000.00", cover_ratio=D("0.8"), status=status, **extra).id


def _claim(w, filing_id, user="mgr", **over):
    with w.acting(user) as (s, a):
        return services.submit_claim(s, a, filing_id, {**CLAIM, **over}).id


def _get(w, claim_id):
    with w.session() as s:
        return s.scalar(select(ReguaranteeClaim).where(ReguaranteeClaim.id == claim_id))


def _approve(w, claim_id):
    instance = _get(w, claim_id).workflow_instance_id
    assert w.do("head", instance) == ("review", "running")
    assert w.do("risk", instance) == ("approval", "running")
    return w.do("boss", instance)


def test_the_figures_with_the_worked_numbers():
    f = services.claim_figures(D("6000000.00"), D("0.8"), D("6200000.00"), D("2000000.00"), D("10000000.00"))
    assert (f.covered_base, f.fraction, f.claim) == (D("4800000.00"), D("0.2"), D("960000.00"))
    capped = services.claim_figures(D("6000000.00"), D("0.8"), D("4500000.00"), D("2000000.00"), D("10000000.00"))
    assert (capped.covered_base, capped.claim) == (D("4500000.00"), D("900000.00"))
    # the fraction is the filing's own split: 333.33 of 1000.00 -> base 800.00 x 0.33333 = 266.66
    odd = services.claim_figures(D("1000.00"), D("0.8"), D("1000.00"), D("333.33"), D("1000.00"))
    assert (odd.covered_base, odd.claim) == (D("800.00"), D("266.66"))


def test_a_claim_releases_the_filing_is_reviewed_approved_and_paid(cw):
    filing_id = _filing(cw)
    claim_id = _claim(cw, filing_id)
    claim = _get(cw, claim_id)
    assert (claim.status, claim.covered_base, claim.claim_amount, claim.approved_amount) == (
        "in_review", D("4800000.00"), D("960000.00"), None)
    assert claim.claim_no.startswith("DC-")
    with cw.session() as s:
        f = s.scalar(select(ReguaranteeFiling).where(ReguaranteeFiling.id == filing_id))
        assert (f.status, f.released_on, f.release_kind) == ("compensated", ON, "compensation")
    with pytest.raises(Conflict, match="already has the claim"):
        _claim(cw, filing_id)
    with cw.acting("fin") as (s, a):
        with pytest.raises(Conflict, match="Only an approved claim can be paid"):
            services.pay_claim(s, a, claim_id, paid_on=ON)
    assert _approve(cw, claim_id) == ("approved", "approved")
    assert (_get(cw, claim_id).status, _get(cw, claim_id).approved_amount) == ("approved", D("960000.00"))
    with cw.acting("mgr") as (s, a):
        with pytest.raises(PermissionDenied):
            services.pay_claim(s, a, claim_id, paid_on=ON)
    with cw.acting("fin") as (s, a):
        with pytest.raises(ValidationFailed, match="more than the approved amount"):
            services.pay_claim(s, a, claim_id, paid_on=ON, amount="960000.01")
        with pytest.raises(ValidationFailed, match="cannot be before"):
            services.pay_claim(s, a, claim_id, paid_on=ON - dt.timedelta(days=1))
        paid = services.pay_claim(s, a, claim_id, paid_on=dt.date(2026, 11, 20))
        assert (paid.status, paid.paid_amount, paid.paid_on) == ("paid", D("960000.00"), dt.date(2026, 11, 20))
        (event,) = s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "ReguaranteeClaimPaid")).all()
        assert (event.payload["amount"], event.payload["paid_on"], event.payload["claim_no"]) == (
            "960000.00", "2026-11-20", paid.claim_no)
        actions = s.scalars(select(AuditRecord.action).where(AuditRecord.entity_id == str(claim_id))
                            .order_by(AuditRecord.seq)).all()
        assert actions == ["reguarantee.claim.submitted", "reguarantee.claim.review_started",
                           "reguarantee.claim.decided", "reguarantee.claim.paid"]


def test_the_approved_amount_set_lower_in_review_bounds_the_payment(cw):
    claim_id = _claim(cw, _filing(cw))
    with cw.acting("risk") as (s, a):
        with pytest.raises(ValidationFailed, match="more than the claim"):
            services.set_approved_amount(s, a, claim_id, "960000.01")
        services.set_approved_amount(s, a, claim_id, "900000")
    _approve(cw, claim_id)
    with cw.acting("fin") as (s, a):
        with pytest.raises(ValidationFailed, match="more than the approved amount 900,000.00"):
            services.pay_claim(s, a, claim_id, paid_on=ON, amount="900000.01")
        assert services.pay_claim(s, a, claim_id, paid_on=ON, amount="850000").paid_amount == D("850000.00")
    with cw.acting("risk") as (s, a):
        with pytest.raises(Conflict, match="Only a claim in review"):
            services.set_approved_amount(s, a, claim_id, "1")


def test_a_rejected_claim_ends_and_another_may_follow(cw):
    filing_id = _filing(cw)
    claim_id = _claim(cw, filing_id)
    instance = _get(cw, claim_id).workflow_instance_id
    assert cw.do("head", instance) == ("review", "running")
    assert cw.do("risk", instance, "reject", comment="材料不全") == ("rejected", "rejected")
    assert (_get(cw, claim_id).status, _get(cw, claim_id).remarks) == ("rejected", "材料不全")
    # the filing was already compensated: a new claim does not release it again
    again = _get(cw, _claim(cw, filing_id, unpaid_principal="5000000"))
    assert (again.status, again.claim_amount) == ("in_review", D("800000.00"))


def test_what_can_be_claimed(cw):
    with pytest.raises(Conflict, match="in force or ended by compensation"):
        _claim(cw, _filing(cw, status="filed"))
    with pytest.raises(Conflict, match="in force or ended by compensation"):
        _claim(cw, _filing(cw, status="released", released_on=ON, release_kind="normal"))
    compensated = _filing(cw, status="compensated", released_on=ON, release_kind="compensation")
    assert _get(cw, _claim(cw, compensated)).claim_amount == D("960000.00")
    with pytest.raises(ValidationFailed, match="more than the loan"):
        _claim(cw, _filing(cw), unpaid_principal="10000000.01")
    with pytest.raises(ValidationFailed, match="cannot be before"):
        _claim(cw, _filing(cw), compensated_on=dt.date(2026, 2, 28))
    with pytest.raises(PermissionDenied):
        _claim(cw, _filing(cw), user="viewer")


def test_an_unknown_claim_or_filing_is_not_found(cw):
    with cw.acting("fin") as (s, a):
        with pytest.raises(NotFound, match="re-guarantee compensation claim"):
            services.pay_claim(s, a, uuid.uuid4(), paid_on=ON)
    with pytest.raises(NotFound, match="re-guarantee filing"):
        _claim(cw, uuid.uuid4())
