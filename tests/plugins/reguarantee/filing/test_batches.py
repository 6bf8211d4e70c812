"""Batches through the services: all or nothing with a row-by-row report, a dry run writes nothing (not even a
number), rows are checked against the rows before them (project number twice, the line, the household cap), the
batch and its report are stored when filed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from surety.core.audit.models import AuditRecord
from surety.core.context import ACTOR_SYSTEM, Actor
from surety.core.db.base import uuid7
from surety.core.errors import PermissionDenied, ValidationFailed
from surety.core.events_models import OutboxEvent
from surety.plugins.reguarantee.filing import services
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling, ReguaranteeFilingBatch
from surety.plugins.reguarantee.filing.numbering import ReguaranteeNumberSequence
from surety.plugins.reguarantee.testing import make_agreement, make_credit_code, make_partner

D = Decimal


def rows(n: int, amount: str = "1000000", **over) -> list[dict]:
    """``n`` valid rows of ``amount`` each, each its own customer and project."""
    return [{"project_ref": f"P{i:03}", "loan_contract_no": f"C{i:03}", "customer_name": f"企业{i}",
             "customer_kind": "enterprise", "customer_id_number": make_credit_code(i, "91320500"),
             "scope": "小微", "loan_amount": amount, "guarantee_amount": amount, "start_date": dt.date(2026, 3, 1),
             "end_date": dt.date(2027, 3, 1), **over} for i in range(1, n + 1)]


def count(s, model) -> int:
    return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def ag(rw):
    """An active agreement with a 1000万 line (cap 1000万)."""
    with rw.session() as s:
        return make_agreement(s, make_partner(s), line_amount="10000000.00").id


def test_a_batch_is_filed_whole_with_its_report(rw, ag):
    with rw.acting("mgr") as (s, a):
        result = services.file_batch(s, a, ag, rows(3), file_name="三月.xlsx")
        assert result.ok and len(result.filing_ids) == 3 and result.total_amount == D("3000000.00")
        batch = result.batch
        assert (batch.row_count, batch.total_amount, batch.source, batch.file_name) == (
            3, D("3000000.00"), "xlsx", "三月.xlsx")
        assert batch.batch_no.startswith("BAP-")
        assert [r["row"] for r in batch.report] == [1, 2, 3]
        assert [r["filingNo"][-6:] for r in batch.report] == ["000001", "000002", "000003"]
        filings = list(s.scalars(select(ReguaranteeFiling).order_by(ReguaranteeFiling.filing_no)))
        assert {f.batch_id for f in filings} == {batch.id} and {f.status for f in filings} == {"filed"}
        # fee: 100万 x 20% = 20万 share at the reduced 0.3% for 365 days = 600.00
        assert {(f.share_reguarantor, f.fee_amount) for f in filings} == {(D("200000.00"), D("600.00"))}
        assert [f.customer_id_number for f in filings] == [make_credit_code(i, "91320500") for i in (1, 2, 3)]
        assert all(f.customer_id_number_bidx for f in filings)
        assert count(s, OutboxEvent) == 3
        assert s.scalar(select(func.count()).select_from(AuditRecord)
                        .where(AuditRecord.action == "reguarantee.filing.batch_filed")) == 1


def test_one_refused_row_refuses_the_batch_and_the_report_says_why(rw, ag):
    data = rows(3)
    data[1]["guarantee_amount"] = "abc"
    data[2]["start_date"] = "2026-02-30"
    with rw.acting("mgr") as (s, a):
        result = services.file_batch(s, a, ag, data)
        assert not result.ok and result.batch is None and result.filing_ids == []
        report = result.report()
        assert report[0] == {"row": 1, "projectRef": "P001", "filingNo": None, "reasons": [], "warnings": [],
                             "columns": []}
        assert report[1]["columns"] == ["担保金额(元)"] and "担保金额(元)" in report[1]["reasons"][0]
        assert report[2]["columns"] == ["起始日"] and report[2]["reasons"] == [
            "起始日须为日期（例如 2026-03-01），不能是 2026-02-30。"]
        assert count(s, ReguaranteeFiling) == count(s, ReguaranteeFilingBatch) == count(s, OutboxEvent) == 0
        assert count(s, ReguaranteeNumberSequence) == 0


def test_a_dry_run_reports_and_writes_nothing(rw, ag):
    with rw.acting("mgr") as (s, a):
        audited = count(s, AuditRecord)
        result = services.file_batch(s, a, ag, rows(2), dry_run=True)
        assert result.ok and result.dry_run and result.batch is None
        assert [r.filing_no for r in result.rows] == [None, None]
        assert count(s, ReguaranteeFiling) == count(s, ReguaranteeNumberSequence) == count(s, OutboxEvent) == 0
        assert count(s, AuditRecord) == audited


def test_rows_are_checked_against_the_rows_before_them(rw, ag):
    data = rows(11)  # 11 x 100万 on a 1000万 line: the eleventh is one too many
    data[3]["project_ref"] = "P001"  # the first row's project again
    with rw.acting("mgr") as (s, a):
        result = services.file_batch(s, a, ag, data)
        report = result.report()
        assert [r["row"] for r in report if r["reasons"]] == [4]
        assert report[3]["reasons"] == ["项目 P001 在本批第 1 行已出现。"]
        # row 4 refused does not use the line: rows 1-3 and 5-10 are 900万, row 11 makes 1000万 exactly
        assert report[10]["reasons"] == []
        data[3]["project_ref"] = "P004"
        report = services.file_batch(s, a, ag, data).report()
        assert report[10]["reasons"] == ["超出协议额度：额度 10000000.00，已用 10000000.00，本笔 1000000.00，"
                                         "超出 1000000.00。"]
        assert count(s, ReguaranteeFiling) == 0


def test_the_household_cap_counts_the_customers_earlier_rows(rw):
    with rw.session() as s:
        ag = make_agreement(s, make_partner(s), line_amount="50000000.00").id
    same = make_credit_code(77, "91320500")
    data = rows(3, amount="4000000", customer_id_number=same)  # 400万 x 3 for one customer, cap 1000万
    data[2]["guarantee_amount"] = data[2]["loan_amount"] = "2000000.00"
    with rw.acting("mgr") as (s, a):
        assert services.file_batch(s, a, ag, data).ok  # 400 + 400 + 200 = 1000万: the cap exactly
        data[2]["guarantee_amount"] = "2000000.01"
        data[2]["loan_amount"] = "2000000.01"
        data = [dict(d, project_ref=d["project_ref"] + "b") for d in data]
        report = services.file_batch(s, a, ag, data, dry_run=True).report()
        # the customer now has 1000万 standing: every row is over the cap
        assert all("超出单户上限" in r["reasons"][0] for r in report)


def test_a_batch_takes_one_to_the_most_rows(rw, ag):
    with rw.acting("mgr") as (s, a):
        with pytest.raises(ValidationFailed):
            services.file_batch(s, a, ag, [])
        with pytest.raises(ValidationFailed):
            services.file_batch(s, a, ag, rows(1), source="fax")


def test_only_the_channel_files_as_a_system_actor(rw, ag):
    channel = Actor(type=ACTOR_SYSTEM, id="reguarantee-channel:x")
    channel_id = uuid7()
    with rw.session() as s:
        with pytest.raises(PermissionDenied):
            services.file_batch(s, channel, ag, rows(1))  # an import needs a person with filing:manage
        result = services.file_batch(s, channel, ag, rows(2), source="channel", channel_id=channel_id)
        assert result.ok and result.batch.source == "channel"
        filings = list(s.scalars(select(ReguaranteeFiling)))
        assert {(f.channel_id, f.created_by) for f in filings} == {(channel_id, None)}
        events = list(s.scalars(select(OutboxEvent)))
        assert {e.payload["channel_id"] for e in events} == {str(channel_id)}
