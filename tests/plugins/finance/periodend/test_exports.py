"""Export files of a period's posted vouchers in the four formats (each read back by its parser), with the tenant's
export settings (text encoding, K/3 Cloud book); the GraphQL mutation (base64 file) and the command lines
``surety finance export`` and ``surety finance reserves``."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from decimal import Decimal

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from surety.core.audit.models import AuditRecord
from surety.core.errors import PermissionDenied, ValidationFailed
from surety.core.testing import GraphQLFlow
from surety.plugins.finance.export import kingdee, yonyou
from surety.plugins.finance.export.common import workbook_rows
from surety.plugins.finance.periodend import files
from surety.plugins.finance.periodend.cli import finance_app
from surety.plugins.finance.vouchers import services as vouchers

PERIOD = "2026-11"


def _posted(fw, summary="收保证金", amount="1000.00"):
    project = uuid.uuid4()
    with fw.acting("fin") as (s, a):
        v = vouchers.create_voucher(s, a, voucher_date=dt.date(2026, 11, 5), word="记", summary=summary, lines=[
            {"account": "1002", "debit": amount}, {"account": "2002", "credit": amount, "project_id": project}])
    with fw.acting("fin2") as (s, a):
        vouchers.review_voucher(s, a, v.id)
        vouchers.post_voucher(s, a, v.id)
    return project


def _shape(found):
    return [(v.number, v.word, [(x.account_code, x.debit, x.credit) for x in v.lines]) for v in found]


def test_every_format_reads_back_with_the_tenants_settings(fw):
    _posted(fw)
    with fw.acting("fin") as (s, a):
        vouchers.create_voucher(s, a, voucher_date=dt.date(2026, 11, 6), word="记", summary="未记账", lines=[
            {"account": "1002", "debit": "1"}, {"account": "6111", "credit": "1"}])  # a draft: not exported
    expected = [(1, "记", [("1002", Decimal("1000.00"), Decimal("0.00")), ("2002", Decimal("0.00"),
                                                                          Decimal("1000.00"))])]
    with fw.acting("admin") as (s, a):
        files.update_settings(s, a, {"text_encoding": "GB18030", "cloud_account_book": "ZB01",
                                     "cloud_organisation": "ORG9"})
    with fw.acting("fin") as (s, a):
        settings = files.get_settings(s)
        assert settings.text_encoding == "gb18030"
        u8 = files.export_period(s, a, PERIOD, "u8_text")
        assert (u8.filename, u8.content_type, u8.vouchers) == ("vouchers-2026-11-u8_text.txt", "text/plain", 1)
        assert _shape(yonyou.parse_text(u8.data, encoding="gb18030")) == expected
        assert _shape(yonyou.parse_xlsx(files.export_period(s, a, PERIOD, "u8_xlsx").data)) == expected
        cloud = files.export_period(s, a, PERIOD, "kingdee_cloud_xlsx").data
        assert _shape(kingdee.parse_cloud_xlsx(cloud, files.cloud_book(settings))) == expected
        first_entry = workbook_rows(cloud)[2]
        assert "ZB01" in first_entry and "ORG9" in first_entry
        standard = files.export_period(s, a, PERIOD, "kingdee_standard_text").data
        assert _shape(kingdee.parse_standard_text(standard, encoding="gb18030")) == expected
        exported = s.scalars(select(AuditRecord).where(AuditRecord.action == "finance.vouchers.exported")).all()
        assert len(exported) == 4


def test_refusals(fw):
    with fw.acting("fin") as (s, a):
        with pytest.raises(ValidationFailed) as refused:
            files.export_period(s, a, PERIOD, "sap")
        assert refused.value.field == "format"
        with pytest.raises(ValidationFailed):
            files.export_period(s, a, "2026-13", "u8_text")
    with fw.acting("admin") as (s, a), pytest.raises(ValidationFailed) as refused:
        files.update_settings(s, a, {"text_encoding": "latin-1"})
    assert refused.value.field == "text_encoding"
    with fw.acting("viewer") as (s, a):
        with pytest.raises(PermissionDenied):
            files.export_period(s, a, PERIOD, "u8_text")
        with pytest.raises(PermissionDenied):
            files.update_settings(s, a, {"text_encoding": "gbk"})


EXPORT = """mutation($p: String!, $f: String!) { financeVoucherExport(period: $p, format: $f) {
    file { filename contentType size sha256 voucherCount contentBase64 } errors { code field message } } }"""


def test_the_graphql_export_and_settings(api, fw):
    _posted(fw)
    flow = GraphQLFlow(api, fw.tenant.slug)
    out = flow.mutate("fin", EXPORT, "financeVoucherExport", {"p": PERIOD, "f": "u8_text"})["file"]
    data = base64.b64decode(out["contentBase64"])
    assert (out["voucherCount"], out["size"], out["sha256"]) == (1, len(data), hashlib.sha256(data).hexdigest())
    assert len(yonyou.parse_text(data)) == 1
    errors = flow.call("fin", EXPORT, {"p": PERIOD, "f": "nope"})["data"]["financeVoucherExport"]["errors"]
    assert errors[0]["field"] == "format"
    updated = flow.mutate("admin", """mutation { financeExportSettingsUpdate(input: {cloudAccountBook: "B2"}) {
        settings { textEncoding cloudAccountBook } errors { code } } }""", "financeExportSettingsUpdate")
    assert updated["settings"] == {"textEncoding": "gbk", "cloudAccountBook": "B2"}
    assert flow.query("fin", "{ financeExportSettings { cloudAccountBook } }") == {
        "financeExportSettings": {"cloudAccountBook": "B2"}}
    booked = flow.mutate("fin", """mutation { financeReservesBook(year: 2025) { results { kind outcome amount }
        errors { code } } }""", "financeReservesBook")
    assert booked["results"] == [{"kind": "unearned_reserve", "outcome": "nothing", "amount": "0.00"},
                                 {"kind": "compensation_reserve", "outcome": "no_balance", "amount": "0.00"}]


def test_the_command_lines(fw, tmp_path):
    _posted(fw)
    app = typer.Typer()
    app.add_typer(finance_app, name="finance")
    out = tmp_path / "v.txt"
    r = CliRunner().invoke(app, ["finance", "export", "--tenant", fw.tenant.slug, "--period", PERIOD, "--format",
                                 "kingdee_standard_text", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "exported 1 vouchers" in r.output
    assert len(kingdee.parse_standard_text(out.read_bytes())) == 1
    r = CliRunner().invoke(app, ["finance", "export", "--tenant", fw.tenant.slug, "--period", PERIOD, "--format",
                                 "u8_text", "--out", str(out), "--as-user", "viewer"])
    assert r.exit_code != 0
    r = CliRunner().invoke(app, ["finance", "reserves", "--tenant", fw.tenant.slug, "--year", "2025"])
    assert r.exit_code == 0, r.output
    assert "unearned_reserve 2025: nothing" in r.output
