"""Programmes (defaults as the tenant's rows, edited) and agreements through the services: defaults copied from the
programme, split and rules checked, draft-only changes, activation needs a partner in cooperation, expiry job, fee
preview and eligibility check with the issue's numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.plugins.reguarantee.agreement import programmes, services
from surety.plugins.reguarantee.agreement.models import ReguaranteeProgramme
from surety.plugins.reguarantee.conventions import DEFAULT_PROGRAMMES
from surety.plugins.reguarantee.plugin import SCHEDULED_JOBS
from surety.plugins.reguarantee.testing import make_agreement, make_partner, programme

D = Decimal
RULES = [
    {"field": "scope", "op": "in", "value": ["小微", "三农"], "message": "服务对象须为小微企业或三农主体"},
    {"field": "debt_ratio", "op": "<=", "value": "0.70", "message": "资产负债率须不高于 70%"},
]


def _new(s, partner, code="standard", **over):
    return {"agreement_no": "ZDB-2026-001", "partner_id": partner.id, "programme_id": programme(s, code).id,
            "line_amount": "50000000", "valid_from": dt.date(2026, 1, 1), "valid_to": dt.date(2027, 12, 31), **over}


def test_the_default_programmes_are_the_tenants_rows_after_provisioning(rw):
    with rw.acting("viewer") as (s, a):
        assert s.scalar(select(func.count()).select_from(ReguaranteeProgramme)) == 3  # surety_tenant_provisioned
        rows = programmes.list_programmes(s, a)
        assert {p.code for p in rows} == {p["code"] for p in DEFAULT_PROGRAMMES}
        by_code = {p.code: p for p in rows}
        std, tech, private = by_code["standard"], by_code["tech_innovation"], by_code["private_investment"]
        assert (std.name, std.fund_share_max, std.household_cap, std.base_fee_rate, std.reduced_fee_rate,
                std.reduced_threshold, std.fee_multiplier) == ("标准业务", D("0.2"), D("10000000.00"), D("0.005"),
                                                               D("0.003"), D("5000000.00"), D("1"))
        assert (tech.name, tech.fund_share_max, tech.household_cap) == ("科技创新", D("0.4"), D("30000000.00"))
        assert (private.name, private.household_cap, private.fee_multiplier) == ("民间投资", D("20000000.00"),
                                                                                 D("0.5"))


def test_a_programme_is_edited_and_checked(rw):
    with rw.acting("admin") as (s, a):
        std = programme(s)
        programmes.update_programme(s, a, std.id, {"household_cap": "12000000", "name": "标准业务（2027）"})
        assert (std.household_cap, std.name) == (D("12000000.00"), "标准业务（2027）")
        with pytest.raises(ValidationFailed) as e:
            programmes.update_programme(s, a, std.id, {"split": {"original": "0.3", "reguarantor": "0.2",
                                                                 "national_fund": "0.3", "bank": "0.2"}})
        assert e.value.field == "split"  # the fund's 0.3 is above the programme's 0.2
        with pytest.raises(ValidationFailed):
            programmes.update_programme(s, a, std.id, {"reduced_fee_rate": None})
        created = programmes.create_programme(s, a, {
            "code": "green", "name": "绿色金融", "fund_share_max": "0.3", "household_cap": "15000000",
            "base_fee_rate": "0.004", "split": {"original": "0.3", "reguarantor": "0.2", "national_fund": "0.3",
                                                "bank": "0.2"}})
        assert created.fee_multiplier == 1
        with pytest.raises(Conflict):
            programmes.create_programme(s, a, {**{"code": "green"}, "name": "x", "fund_share_max": "0.3",
                                               "household_cap": "1", "base_fee_rate": "0.004",
                                               "split": {"original": "1", "reguarantor": "0", "national_fund": "0",
                                                         "bank": "0"}})
    with rw.acting("mgr") as (s, a), pytest.raises(PermissionDenied):
        programmes.update_programme(s, a, programme(s).id, {"name": "x"})


def test_an_agreement_copies_its_programmes_terms(rw):
    with rw.acting("mgr") as (s, a):
        partner = make_partner(s)
        ag = services.create_agreement(s, a, _new(s, partner, "private_investment", eligibility_rules=RULES))
        assert ag.status == "draft"
        assert services.split_of(ag) == {"original": D("0.2"), "reguarantor": D("0.2"), "national_fund": D("0.4"),
                                         "bank": D("0.2")}
        assert (ag.fee_multiplier, ag.household_cap, ag.base_fee_rate) == (D("0.5"), D("20000000.00"), D("0.005"))
        assert ag.eligibility_rules == RULES
        own = services.create_agreement(s, a, _new(s, partner, agreement_no="ZDB-2026-002", household_cap="8000000",
                                                   split={"original": "0.4", "reguarantor": "0.2",
                                                          "national_fund": "0.2", "bank": "0.2"}))
        assert (own.household_cap, own.share_original) == (D("8000000.00"), D("0.4"))


@pytest.mark.parametrize(("over", "field"), [
    ({"split": {"original": "0.5", "reguarantor": "0.2", "national_fund": "0.2", "bank": "0.2"}}, "split"),
    ({"split": {"original": "0.4", "reguarantor": "0.2", "national_fund": "0.2"}}, "split"),
    ({"split": {"original": "0.2", "reguarantor": "0.2", "national_fund": "0.4", "bank": "0.2"}}, "split"),
    ({"valid_to": dt.date(2025, 12, 31)}, "valid_to"),
    ({"line_amount": "0"}, "line_amount"),
    ({"base_fee_rate": "0.06"}, "base_fee_rate"),
    ({"eligibility_rules": [{"field": "scope", "op": "like", "value": "小", "message": "x"}]}, "eligibility_rules"),
    ({"eligibility_rules": [{"field": "scope", "op": "in", "value": "小微", "message": "x"}]}, "eligibility_rules"),
    ({"eligibility_rules": [{"field": "debt_ratio", "op": "<=", "value": "七成", "message": "x"}]},
     "eligibility_rules"),
    ({"eligibility_rules": [{"field": "scope", "op": "in", "value": ["小微"]}]}, "eligibility_rules"),
])
def test_bad_agreements_are_refused(rw, over, field):
    with rw.acting("mgr") as (s, a):
        partner = make_partner(s)
        with pytest.raises(ValidationFailed) as e:
            services.create_agreement(s, a, _new(s, partner, **over))
        assert e.value.field == field


def test_duplicates_unknown_and_terminated_partners_are_refused(rw):
    with rw.acting("mgr") as (s, a):
        partner = make_partner(s)
        services.create_agreement(s, a, _new(s, partner))
        with pytest.raises(Conflict):
            services.create_agreement(s, a, _new(s, partner))
        with pytest.raises(Conflict):
            services.create_agreement(s, a, _new(s, make_partner(s, status="terminated"), agreement_no="X-2"))


def test_only_a_draft_changes_and_activation_needs_a_partner_in_cooperation(rw):
    with rw.acting("mgr") as (s, a):
        applying = make_partner(s, status="applying")
        ag = services.create_agreement(s, a, _new(s, applying))
        services.update_agreement(s, a, ag.id, {"line_amount": "60000000", "eligibility_rules": RULES})
        assert ag.line_amount == D("60000000.00")
        with pytest.raises(Conflict):
            services.activate_agreement(s, a, ag.id, today=dt.date(2026, 3, 1))
        applying.status = "active"
        with pytest.raises(Conflict):
            services.activate_agreement(s, a, ag.id, today=dt.date(2028, 1, 1))  # ended 2027-12-31
        services.activate_agreement(s, a, ag.id, today=dt.date(2027, 12, 31))
        assert ag.status == "active"
        with pytest.raises(Conflict):
            services.update_agreement(s, a, ag.id, {"line_amount": "1"})
        with pytest.raises(Conflict):
            services.activate_agreement(s, a, ag.id, today=dt.date(2026, 3, 1))


def test_the_day_end_job_expires_agreements_after_their_last_day(rw):
    (job,) = [j for j in SCHEDULED_JOBS if j.name == "reguarantee_agreements_expire"]
    with rw.session() as s:
        partner = make_partner(s)
        ending = make_agreement(s, partner, valid_to=dt.date(2026, 6, 30))
        later = make_agreement(s, partner, valid_to=dt.date(2026, 7, 1))
        draft = make_agreement(s, partner, valid_to=dt.date(2026, 6, 30), status="draft")
        assert job.run(s, dt.date(2026, 6, 30)) == 0
        assert job.run(s, dt.date(2026, 7, 1)) == 1
        assert (ending.status, later.status, draft.status) == ("expired", "active", "draft")


def test_fee_preview_with_the_issues_numbers(rw):
    with rw.acting("viewer") as (s, a):
        ag = make_agreement(s, make_partner(s))
        p = services.fee_preview(s, a, ag.id, "10000000", 365)
        assert p.shares == {"original": D("4000000.00"), "reguarantor": D("2000000.00"),
                            "national_fund": D("2000000.00"), "bank": D("2000000.00")}
        assert (p.fee.rate, p.fee.annual_fee, p.fee.fee) == (D("0.005"), D("10000.00"), D("10000.00"))
        assert p.cap.within is True and p.cap.headroom == 0  # 1000万 on an empty balance: at the cap
        assert services.fee_preview(s, a, ag.id, "10000000", 365, "0.01").cap.within is False
        assert services.fee_preview(s, a, ag.id, "5000000", 365).fee.annual_fee == D("3000.00")
        halved = make_agreement(s, make_partner(s), programme_code="private_investment",
                                **{"share_original": D("0.4"), "share_national_fund": D("0.2")})
        assert services.fee_preview(s, a, halved.id, "10000000", 365).fee.annual_fee == D("5000.00")
        with pytest.raises(ValidationFailed):
            services.fee_preview(s, a, ag.id, "10000000", 0)
        with pytest.raises(NotFound):
            services.fee_preview(s, a, partner_id_not_an_agreement(s), "1", 1)


def partner_id_not_an_agreement(s):
    return s.scalar(select(ReguaranteeProgramme.id).limit(1))


def test_eligibility_check_gives_every_reason(rw):
    with rw.acting("viewer") as (s, a):
        ag = make_agreement(s, make_partner(s), eligibility_rules=RULES)
        assert services.eligibility_check(s, a, ag.id, {"scope": "三农", "debt_ratio": "0.7"}) == []
        assert services.eligibility_check(s, a, ag.id, {"scope": "大型", "debt_ratio": "0.71"}) == [
            "服务对象须为小微企业或三农主体", "资产负债率须不高于 70%"]


def test_programmes_and_agreements_are_the_tenants_own(rw, make_tenant, db):
    with rw.acting("admin") as (s, a):
        programmes.update_programme(s, a, programme(s).id, {"household_cap": "15000000"})
        make_agreement(s, make_partner(s))
    other = make_tenant(plugins=["customers", "reguarantee"])
    with db.tenant_session(other.id) as s:
        assert s.scalars(select(services.ReguaranteeAgreement)).all() == []
        assert programme(s).household_cap == D("10000000.00")  # the other tenant's own default row
