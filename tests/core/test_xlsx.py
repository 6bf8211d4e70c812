"""core/xlsx.py: text never written as a formula, typed columns styled, totals in the footer."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from surety.core.xlsx import DATE_FORMAT, MONEY_FORMAT, RATE_FORMAT, Sheet, styled_cell, text_cell

COLUMNS = (("name", "名称", "text"), ("count", "笔数", "int"), ("amount", "金额（元）", "money"),
           ("on", "日期", "date"), ("rate", "利率（%）", "rate"))


def _read(wb):
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return load_workbook(out).worksheets[0]


def test_text_is_never_a_formula_and_illegal_characters_are_replaced():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("t")
    ws.append([text_cell(ws, "=HYPERLINK(\"http://x\")"), text_cell(ws, "a\x01b"), text_cell(ws, 7),
               text_cell(ws, None), text_cell(ws, "#N/A")])
    money = styled_cell(ws, MONEY_FORMAT)
    money.value = Decimal("1234.50")
    ws.append([money])
    sheet = _read(wb)
    formula_like = sheet.cell(1, 1)
    assert formula_like.value == "=HYPERLINK(\"http://x\")" and formula_like.data_type == "s"
    assert sheet.cell(1, 2).value == "a\ufffdb"
    assert sheet.cell(1, 3).value == 7 and sheet.cell(1, 4).value is None
    assert sheet.cell(1, 5).value == "#N/A" and sheet.cell(1, 5).data_type == "s"  # text, not an error value
    assert sheet.cell(2, 1).value == 1234.5 and sheet.cell(2, 1).number_format == MONEY_FORMAT


def test_a_sheet_writes_typed_rows_and_a_totals_footer():
    wb = Workbook(write_only=True)
    sheet = Sheet(wb, "台账", COLUMNS, (["标题"], [h for _, h, _ in COLUMNS]), widths={"name": 30})
    sheet.append({"name": "=1+1", "count": 2, "amount": Decimal("10.25"), "on": dt.date(2026, 3, 1),
                  "rate": Decimal("0.0725")})
    sheet.append({"name": "乙", "count": 1})  # a missing amount is 0.00
    assert sheet.totals == {"amount": Decimal("10.25")} and sheet.count == 2
    sheet.footer({"name": "合计", "count": 3})
    ws = _read(wb)
    assert ws.freeze_panes == "B3" and ws.column_dimensions["A"].width == 30
    assert [c.value for c in ws[1]][0] == "标题" and [c.value for c in ws[2]] == [h for _, h, _ in COLUMNS]
    first = ws[3]
    assert first[0].value == "=1+1" and first[0].data_type == "s"
    assert first[2].number_format == MONEY_FORMAT and first[3].number_format == DATE_FORMAT
    assert first[4].number_format == RATE_FORMAT
    assert ws[4][2].value == 0
    assert [c.value for c in ws[5]][:3] == ["合计", 3, 10.25] and ws[5][3].value is None
