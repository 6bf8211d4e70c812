"""The xlsx import: the template (headers and one example row) files as it is; cells as a spreadsheet holds them
(date cells, float numbers, percentages, text dates) become exact rows; a bad cell is reported by spreadsheet row
and column; a workbook without a required column, an unreadable file or an empty one is refused."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from surety.core.errors import ValidationFailed
from surety.core.i18n import render_error
from surety.plugins.reguarantee.filing import importer
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.testing import make_agreement, make_credit_code, make_partner

D = Decimal
HEADERS = ["项目编号", "借款合同号", "客户名称", "客户类型", "证件号码", "服务对象", "地区", "行业", "贷款银行",
           "贷款金额(元)", "担保金额(元)", "贷款利率", "起始日", "到期日", "保障比例", "资产负债率"]


def workbook(*rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def line(n: int, **over):
    values = {"项目编号": f"XM-{n}", "借款合同号": f"JK-{n}", "客户名称": f"企业{n}", "客户类型": "企业",
              "证件号码": make_credit_code(n, "91320500"), "服务对象": "小微", "地区": "江苏省苏州市",
              "行业": "制造业", "贷款银行": "苏州银行", "贷款金额(元)": 3000000, "担保金额(元)": 2500000.5,
              "贷款利率": "4.35%", "起始日": dt.datetime(2026, 4, 1), "到期日": "2027/3/31", "保障比例": 0.8,
              "资产负债率": 0.65, **over}
    return [values[h] for h in HEADERS]


@pytest.fixture
def ag(rw):
    with rw.session() as s:
        a = make_agreement(s, make_partner(s), line_amount="30000000.00")
        a.eligibility_rules = [{"field": "debt_ratio", "op": "<=", "value": "0.70",
                                "message": "资产负债率须不高于 70%"}]
        return a.id


def test_the_template_has_the_headers_and_an_example_that_files(rw, ag):
    content = importer.template()
    ws = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in ws[1]] == HEADERS
    assert ws["A2"].value == "XM-2026-0001" and ws["M2"].value == dt.datetime(2026, 3, 1)
    with rw.acting("mgr") as (s, a):
        result = importer.import_workbook(s, a, ag, content, file_name="模板.xlsx")
        assert result.ok and result.rows[0].row == 2
        f = s.scalar(select(ReguaranteeFiling))
        assert (f.guarantee_amount, f.loan_rate, f.fields) == (D("5000000.00"), D("0.0385"), {"debt_ratio": "0.65"})


def test_cells_become_exact_rows(rw, ag):
    read = importer.read_rows(workbook(line(1), [None] * len(HEADERS), line(2, 保障比例=None)))
    assert read.sheet_rows == [2, 4]  # the blank row 3 is skipped
    r = read.rows[0]
    assert (r["guarantee_amount"], r["loan_amount"], r["loan_rate"], r["cover_ratio"]) == (
        "2500000.5", "3000000", "0.0435", "0.8")
    assert (r["start_date"], r["end_date"], r["fields"]) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31),
                                                            {"debt_ratio": "0.65"})
    assert read.rows[1]["cover_ratio"] is None  # blank: the whole (1) when filed
    with rw.acting("mgr") as (s, a):
        result = importer.import_workbook(s, a, ag, workbook(line(1), line(2, 保障比例=None)))
        assert result.ok
        by_ref = {f.project_ref: f for f in s.scalars(select(ReguaranteeFiling))}
        assert (by_ref["XM-1"].guarantee_amount, by_ref["XM-1"].cover_ratio) == (D("2500000.50"), D("0.8"))
        assert by_ref["XM-2"].cover_ratio == D("1")


def test_a_bad_cell_is_reported_by_row_and_column_and_nothing_is_filed(rw, ag):
    content = workbook(line(1), line(2, 到期日="明年", 资产负债率=0.75), line(3, **{"担保金额(元)": "二百万"}))
    with rw.acting("mgr") as (s, a):
        result = importer.import_workbook(s, a, ag, content)
        assert not result.ok
        report = {r["row"]: r for r in result.report()}
        assert report[2]["reasons"] == []
        assert report[3]["columns"] == ["到期日", "准入条件"]
        assert report[3]["reasons"] == ["到期日须为日期（例如 2026-03-01），不能是 明年。", "资产负债率须不高于 70%"]
        assert report[4]["columns"] == ["担保金额(元)"]
        assert s.scalar(select(func.count()).select_from(ReguaranteeFiling)) == 0


@pytest.mark.parametrize(("content", "zh"), [
    (b"not a workbook", "不是可读取的 .xlsx"),
    (workbook(line(1), headers=[h if h != "证件号码" else "身份证" for h in HEADERS]), "缺少列“证件号码”"),
    (workbook(headers=HEADERS), "没有可备案的数据行"),
])
def test_an_unusable_workbook_is_refused(rw, ag, content, zh):
    with rw.acting("mgr") as (s, a):
        with pytest.raises(ValidationFailed) as e:
            importer.import_workbook(s, a, ag, content)
        assert e.value.field == "file" and zh in render_error(e.value, "zh_CN")
