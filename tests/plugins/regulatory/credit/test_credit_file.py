"""credit/file.py and its GraphQL: the period's credit-reporting file from the events the business plugins report
(hook ``regulatory_credit_events``, answered here by the test plugin): header record, one record per event in the
period by date then account, codes, amounts to the fen; permission; audit."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import PermissionDenied, ValidationFailed
from surety.core.ports.regulatory import CreditEvent
from surety.core.testing import GraphQLFlow
from surety.plugins.regulatory.credit import file as credit

CUSTOMER = uuid.UUID("01234567-89ab-7def-8123-456789abcdef")
EVENTS = [
    CreditEvent("collection_opened", dt.date(2026, 11, 20), "DB-1-ZC", CUSTOMER, "loan", Decimal("560000.00"),
                Decimal("560000.00"), "substandard"),
    CreditEvent("opened", dt.date(2026, 11, 3), "DB-2", CUSTOMER, "performance", Decimal("300000"),
                Decimal("300000"), "normal"),
    CreditEvent("closed", dt.date(2026, 11, 20), "DB-1", CUSTOMER, "loan", Decimal("700000.00"), Decimal("0.00"),
                "substandard"),
    CreditEvent("opened", dt.date(2026, 12, 1), "DB-3", CUSTOMER, "loan", Decimal("1.00"), Decimal("1.00"),
                "normal"),
]


def test_the_file_has_a_header_and_a_record_per_event_of_the_period(fw, figures):
    figures.events = EVENTS
    with fw.acting("fin") as (s, a):
        f = credit.credit_file(s, a, "2026M11", today=dt.date(2026, 12, 3))
    assert (f.filename, f.records, f.content_type) == ("credit-2026M11.csv", 3, "text/csv; charset=utf-8")
    lines = f.data.decode("utf-8").split("\r\n")
    assert lines[0] == f"H,SURETY-CREDIT,1.0,{fw.tenant.name},2026M11,20261101,20261130,3,20261203"
    assert lines[1:] == [
        f"D,1,20261103,10,opened,DB-2,{CUSTOMER},performance,300000.00,300000.00,1",
        f"D,2,20261120,40,closed,DB-1,{CUSTOMER},loan,700000.00,0.00,3",
        f"D,3,20261120,50,collection_opened,DB-1-ZC,{CUSTOMER},loan,560000.00,560000.00,3",
        "",
    ]
    with fw.session() as s:
        record = s.scalar(select(AuditRecord).where(AuditRecord.action == "regulatory.credit.exported"))
    assert record.after == {"period": "2026M11", "records": 3}


def test_a_quarter_and_the_refusals(fw, figures):
    figures.events = EVENTS
    with fw.acting("risk") as (s, a):
        assert credit.credit_file(s, a, "2026Q4").records == 4
    with fw.acting("viewer") as (s, a), pytest.raises(PermissionDenied):
        credit.credit_file(s, a, "2026M11")
    with fw.acting("fin") as (s, a), pytest.raises(ValidationFailed):
        credit.credit_file(s, a, "November")


def test_the_file_through_graphql(api, fw, figures):
    figures.events = EVENTS
    flow = GraphQLFlow(api, fw.tenant.slug)
    out = flow.mutate("fin", "mutation { regulatoryCreditFile(period: \"2026M11\") { records file { filename "
                             "contentBase64 } errors { code } } }", "regulatoryCreditFile")
    assert out["records"] == 3 and out["file"]["filename"] == "credit-2026M11.csv"
    assert base64.b64decode(out["file"]["contentBase64"]).decode("utf-8").startswith("H,SURETY-CREDIT,1.0,")
    refused = flow.call("viewer", "mutation { regulatoryCreditFile(period: \"2026M11\") { errors { code } } }")
    assert refused["data"]["regulatoryCreditFile"]["errors"] == [{"code": "FORBIDDEN"}]
