"""Filings through the services (no HTTP): one filed with its split and fee, every field checked with its zh-CN
reason, de-duplication, eligibility, the line and the household cap at their boundaries, confirmation by another
person (four eyes), return with reasons, release (normal and by compensation); events and audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from surety.core.audit.models import AuditRecord
from surety.core.errors import Conflict, PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.core.i18n import use_locale
from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement
from surety.plugins.reguarantee.filing import services
from surety.plugins.reguarantee.filing.checks import id_card_ok
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.testing import make_agreement, make_credit_code, make_filing, make_partner

D = Decimal
CODE = make_credit_code(4242, "91320500")


def row(**over) -> dict:
    """A valid row: 500万 guaranteed of a 600万 loan from 2026-03-01 to 2027-02-28 (364 days)."""
    return {"project_ref": "XM-001", "loan_contract_no": "JK-001", "customer_name": "南京某科技有限公司",
            "customer_kind": "enterprise", "customer_id_number": CODE, "scope": "小微", "region": "江苏省南京市",
            "industry": "制造业", "bank_name": "南京银行", "loan_amount": "6000000", "guarantee_amount": "5000000",
            "loan_rate": "0.0385", "start_date": dt.date(2026, 3, 1), "end_date": dt.date(2027, 2, 28),
            "cover_ratio": "1", "fields": {"debt_ratio": "0.65"}, **over}


@pytest.fixture
def ag(rw):
    """An active agreement (standard programme: 40:20:20:20, 0.5% / 0.3% up to 500万, cap 1000万), line 2000万."""
    with rw.session() as s:
        partner = make_partner(s, name="苏州担保")
        a = make_agreement(s, partner, line_amount="20000000.00")
        return a.id, partner.id


def test_a_filing_is_stored_with_its_split_fee_and_number(rw, ag):
    with rw.acting("mgr") as (s, a):
        f = services.file_one(s, a, ag[0], row())
        assert f.status == "filed" and f.filing_no.startswith("BA-") and f.filing_no.endswith("-000001")
        # 500万 x 40:20:20:20; fee on the 100万 share at the reduced 0.3% (500万 <= 500万) for 364 days
        assert (f.share_original, f.share_reguarantor, f.share_national_fund, f.share_bank) == (
            D("2000000.00"), D("1000000.00"), D("1000000.00"), D("1000000.00"))
        assert f.fee_rate == D("0.003") and f.fee_amount == D("2991.78")  # 1,000,000 x 0.003 x 364 / 365
        assert f.customer_id_number == CODE and f.customer_id_number_bidx
        assert f.fields == {"debt_ratio": "0.65"} and f.created_by == rw.uid("mgr")
        second = services.file_one(s, a, ag[0], row(project_ref="XM-002", guarantee_amount="5000000.01",
                                                    loan_amount="5000000.01",
                                                    customer_id_number=make_credit_code(2, "91320500")))
        assert second.filing_no.endswith("-000002")
        assert second.fee_rate == D("0.005")  # above the 500万 threshold: the base rate
        events = s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "ReguaranteeFilingStatusChanged"))
        assert [e.payload["status"] for e in events] == ["filed", "filed"]
        assert s.scalar(select(func.count()).select_from(AuditRecord)
                        .where(AuditRecord.action == "reguarantee.filing.filed")) == 2


@pytest.mark.parametrize(("over", "field", "zh"), [
    ({"loan_amount": "0"}, "loan_amount", "贷款金额(元)"),
    ({"guarantee_amount": "100.001"}, "guarantee_amount", "小数位数超过两位"),
    ({"guarantee_amount": "7000000"}, "guarantee_amount", "高于贷款金额"),
    ({"end_date": dt.date(2026, 3, 1)}, "end_date", "不晚于起始日"),
    ({"start_date": "2026-13-01"}, "start_date", "起始日"),
    ({"start_date": dt.date(2025, 12, 31)}, "start_date", "协议有效期"),
    ({"customer_kind": "公司"}, "customer_kind", "企业、个体工商户、农户、自然人"),
    ({"customer_id_number": CODE[:17] + ("0" if CODE[17] != "0" else "1")}, "customer_id_number",
     "统一社会信用代码"),
    ({"customer_kind": "person", "customer_id_number": "110105194912310021"}, "customer_id_number", "身份证"),
    ({"cover_ratio": "0"}, "cover_ratio", "保障比例"),
    ({"cover_ratio": "1.01"}, "cover_ratio", "保障比例"),
    ({"project_ref": " "}, "project_ref", "项目编号"),
])
def test_each_field_is_checked_with_a_zh_cn_reason(rw, ag, over, field, zh):
    with rw.acting("mgr") as (s, a), use_locale("zh_CN"):
        with pytest.raises(ValidationFailed) as e:
            services.file_one(s, a, ag[0], row(**over))
        assert e.value.field == field
        assert zh in e.value.params["reasons"], e.value.params["reasons"]
        assert s.scalar(select(func.count()).select_from(ReguaranteeFiling)) == 0


def test_a_person_files_with_a_resident_id_card(rw, ag):
    assert id_card_ok("11010519491231002X") and not id_card_ok("110105194912310021")  # the check character
    assert not id_card_ok("11010519491331002X")  # month 13
    with rw.acting("mgr") as (s, a):
        f = services.file_one(s, a, ag[0], row(customer_kind="自然人", customer_id_number="11010519491231002x"))
        assert (f.customer_kind, f.customer_id_number) == ("person", "11010519491231002X")


def test_every_reason_is_given_at_once(rw, ag):
    with rw.acting("mgr") as (s, a), use_locale("zh_CN"):
        with pytest.raises(ValidationFailed) as e:
            services.file_one(s, a, ag[0], row(loan_amount="-1", cover_ratio="2", customer_kind="x"))
        assert e.value.params["reasons"].count("；") >= 2


def test_the_same_project_standing_is_refused_and_may_be_filed_again_once_rejected(rw, ag):
    with rw.acting("mgr") as (s, a):
        first = services.file_one(s, a, ag[0], row())
        with pytest.raises(ValidationFailed) as e, use_locale("zh_CN"):
            services.file_one(s, a, ag[0], row())
        assert "已备案" in e.value.params["reasons"] and first.filing_no in e.value.params["reasons"]
    with rw.acting("risk") as (s, a):
        services.reject_filing(s, a, first.id, ["资料不全"])
    with rw.acting("mgr") as (s, a):
        assert services.file_one(s, a, ag[0], row()).status == "filed"


def test_the_same_customer_and_contract_under_another_partner_is_a_warning(rw, ag):
    with rw.session() as s:
        other = make_agreement(s, make_partner(s, name="无锡担保"))
        make_filing(s, other, customer_id_number=CODE, loan_contract_no="JK-001", amount="1000000.00")
    with rw.acting("mgr") as (s, a):
        result = services.check_batch(s, a, ag[0], [row()])
        assert result.ok and result.rows[0].warnings("zh_CN") == ["同一客户的借款合同 JK-001 已由无锡担保备案。"]
        f = services.file_one(s, a, ag[0], row())
        assert f.status == "filed"


def test_eligibility_rules_give_their_messages(rw, ag):
    with rw.session() as s:
        agreement = s.scalar(select(ReguaranteeAgreement).where(ReguaranteeAgreement.id == ag[0]))
        agreement.eligibility_rules = [
            {"field": "scope", "op": "in", "value": ["小微", "三农"], "message": "服务对象须为小微企业或三农主体"},
            {"field": "debt_ratio", "op": "<=", "value": "0.70", "message": "资产负债率须不高于 70%"}]
    with rw.acting("mgr") as (s, a), use_locale("zh_CN"):
        assert services.check_batch(s, a, ag[0], [row()]).ok
        with pytest.raises(ValidationFailed) as e:
            services.file_one(s, a, ag[0], row(scope="大型", fields={"debt_ratio": "0.71"}))
        assert e.value.params["reasons"] == "服务对象须为小微企业或三农主体；资产负债率须不高于 70%"
        with pytest.raises(ValidationFailed) as e:
            services.file_one(s, a, ag[0], row(fields={}))  # a rule's field not given fails
        assert e.value.params["reasons"] == "资产负债率须不高于 70%"


def test_the_line_may_be_used_exactly_but_not_one_fen_more(rw, ag):
    with rw.session() as s:
        agreement = s.scalar(select(ReguaranteeAgreement).where(ReguaranteeAgreement.id == ag[0]))
        make_filing(s, agreement, amount="8000000.00")  # confirmed: 800万 of the 2000万 line used
        make_filing(s, agreement, amount="3000000.00", status="released")  # not standing: uses nothing
    with rw.acting("mgr") as (s, a), use_locale("zh_CN"):
        # 800万 + 700万 + 500万.01 = 2000万 + 1 fen
        services.file_one(s, a, ag[0], row(project_ref="A", guarantee_amount="7000000", loan_amount="7000000",
                                           customer_id_number=make_credit_code(1, "91320500")))
        with pytest.raises(ValidationFailed) as e:
            services.file_one(s, a, ag[0], row(project_ref="B", guarantee_amount="5000000.01",
                                               loan_amount="6000000"))
        assert e.value.params["reasons"] == ("超出协议额度：额度 20000000.00，已用 15000000.00，本笔 5000000.01，"
                                             "超出 0.01。")
        f = services.file_one(s, a, ag[0], row(project_ref="B", guarantee_amount="5000000.00"))
        usage = services.line_usage(s, a, [ag[0]])[ag[0]]
        assert (usage.line, usage.used, usage.available) == (D("20000000.00"), D("20000000.00"), D("0.00"))
        assert f.status == "filed"


def test_the_household_cap_is_inclusive_across_partners(rw, ag):
    with rw.session() as s:
        other = make_agreement(s, make_partner(s, name="常州担保"))
        make_filing(s, other, customer_id_number=CODE, amount="6000000.00")  # the customer's 600万 elsewhere
        make_filing(s, other, customer_id_number=CODE, amount="2000000.00", status="compensated")  # ended
    with rw.acting("mgr") as (s, a), use_locale("zh_CN"):
        with pytest.raises(ValidationFailed) as e:
            services.file_one(s, a, ag[0], row(guarantee_amount="4000000.01", loan_amount="5000000"))
        assert e.value.params["reasons"] == ("超出单户上限：客户在保余额 6000000.00，本笔 4000000.01，上限 "
                                             "10000000.00，超出 0.01。")
        assert services.file_one(s, a, ag[0], row(guarantee_amount="4000000.00")).status == "filed"


def test_an_agreement_not_in_force_or_a_suspended_partner_files_nothing(rw):
    with rw.session() as s:
        draft = make_agreement(s, make_partner(s), status="draft").id
        suspended = make_agreement(s, make_partner(s, status="suspended")).id
    with rw.acting("mgr") as (s, a):
        with pytest.raises(Conflict):
            services.file_one(s, a, draft, row())
        with pytest.raises(Conflict):
            services.file_one(s, a, suspended, row())


def test_confirmation_needs_another_person_and_the_permission(rw, ag):
    with rw.acting("mgr") as (s, a):
        f = services.file_one(s, a, ag[0], row())
        with pytest.raises(PermissionDenied):
            services.confirm_filing(s, a, f.id)  # a customer manager files, does not confirm
    with rw.acting("admin") as (s, a):
        mine = services.file_one(s, a, ag[0], row(project_ref="XM-ADMIN", customer_id_number=make_credit_code(7)))
        with pytest.raises(Conflict) as e:
            services.confirm_filing(s, a, mine.id)
        assert "four eyes" in str(e.value)
    with rw.acting("risk") as (s, a):
        done = services.confirm_filing(s, a, f.id)
        assert (done.status, done.confirmed_by, done.confirmed_on) == ("confirmed", rw.uid("risk"),
                                                                      done.confirmed_on)
        with pytest.raises(Conflict):
            services.confirm_filing(s, a, f.id)
        with pytest.raises(Conflict):
            services.reject_filing(s, a, f.id, ["晚了"])
        assert s.scalar(select(func.count()).select_from(AuditRecord)
                        .where(AuditRecord.action == "reguarantee.filing.confirmed")) == 1


def test_reject_needs_reasons_and_keeps_them(rw, ag):
    with rw.acting("admin") as (s, a):
        mine = services.file_one(s, a, ag[0], row(project_ref="XM-ADMIN", customer_id_number=make_credit_code(8)))
        with pytest.raises(Conflict):
            services.reject_filing(s, a, mine.id, ["自己退回"])  # four eyes: not the filer
    with rw.acting("mgr") as (s, a):
        f = services.file_one(s, a, ag[0], row())
    with rw.acting("risk") as (s, a):
        with pytest.raises(ValidationFailed):
            services.reject_filing(s, a, f.id, [" "])
        done = services.reject_filing(s, a, f.id, ["资料不全", "担保合同缺失"])
        assert (done.status, done.reject_reasons) == ("rejected", ["资料不全", "担保合同缺失"])
        ev = s.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "ReguaranteeFilingStatusChanged")
                       .order_by(OutboxEvent.id.desc())).first()
        assert ev.payload["status"] == "rejected" and ev.payload["reasons"] == ["资料不全", "担保合同缺失"]


def test_release_normal_or_by_compensation_frees_the_line(rw, ag):
    with rw.session() as s:
        agreement = s.scalar(select(ReguaranteeAgreement).where(ReguaranteeAgreement.id == ag[0]))
        one = make_filing(s, agreement, amount="3000000.00").id
        two = make_filing(s, agreement, amount="2000000.00").id
        filed = make_filing(s, agreement, amount="1000000.00", status="filed").id
    with rw.acting("mgr") as (s, a):
        with pytest.raises(ValidationFailed):
            services.release_filing(s, a, one, kind="normal", on=dt.date(2026, 2, 28))  # before the start
        with pytest.raises(ValidationFailed):
            services.release_filing(s, a, one, kind="early", on=dt.date(2026, 6, 1))
        with pytest.raises(Conflict):
            services.release_filing(s, a, filed, kind="normal", on=dt.date(2026, 6, 1))  # not confirmed
        r = services.release_filing(s, a, one, kind="normal", on=dt.date(2026, 3, 1))  # on the start: allowed
        c = services.release_filing(s, a, two, kind="compensation", on=dt.date(2026, 9, 30))
        assert (r.status, r.release_kind, r.released_on) == ("released", "normal", dt.date(2026, 3, 1))
        assert (c.status, c.release_kind, c.released_by) == ("compensated", "compensation", rw.uid("mgr"))
        assert services.line_usage(s, a, [ag[0]])[ag[0]].used == D("1000000.00")  # only the filed one stands
        with pytest.raises(Conflict):
            services.release_filing(s, a, one, kind="normal", on=dt.date(2026, 6, 1))
