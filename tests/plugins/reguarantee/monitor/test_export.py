"""monitor/export.py: the statistics as .xlsx, opened with openpyxl: zh-CN headers naming the unit, amounts in 元
or exactly in 万元, ratios in percent, the totals row, the audit record and the permission."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import PermissionDenied, ValidationFailed
from surety.plugins.reguarantee.monitor import export
from tests.plugins.reguarantee.monitor.conftest import AS_OF


def _rows(f: export.ExportFile) -> list[tuple]:
    ws = load_workbook(io.BytesIO(f.data))[export.SHEET]
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def test_by_partner_in_wan(rw, stats_set):
    with rw.acting("viewer") as (s, actor):
        f = export.export_statistics(s, actor, "partner", as_of=AS_OF, unit="wan")
        record = s.scalar(select(AuditRecord).where(AuditRecord.action == "reguarantee.statistics.exported"))
        assert record is not None and record.after["unit"] == "wan" and record.after["rows"] == 2
    assert f.filename == "reguarantee-statistics-partner-2026-06-30.xlsx" and f.rows == 2
    assert f.content_type == export.CONTENT_TYPE
    title, header, a, b, total = _rows(f)
    assert "按合作机构" in title[0] and "2026-01-01 至 2026-06-30" in title[0] and "金额单位：万元" in title[0]
    assert header[:6] == ("合作机构", "备案笔数", "备案金额（万元）", "在保笔数", "在保余额（万元）",
                          "本公司分险余额（万元）")
    assert header[6:] == ("本公司分险比例（%）", "加权平均贷款利率（%）", "解保金额（万元）", "代偿解保金额（万元）",
                          "代偿率（%）", "追偿回收金额（万元）", "本公司回收分成（万元）")
    assert a[:6] == ("甲县融资担保有限公司", 2, 800, 2, 1500, 300)
    assert a[6] == 20 and Decimal(str(a[7])) == Decimal("4.375")
    assert b[0] == "乙县融资担保有限公司" and b[6] is None and b[10] == 100 and b[11] == 50 and b[12] == 10
    assert total[:6] == ("合计", 4, 1100, 2, 1500, 300) and total[10] == 40


def test_by_quarter_in_yuan(rw, stats_set):
    with rw.acting("viewer") as (s, actor):
        f = export.export_statistics(s, actor, "quarter", as_of=AS_OF)
    title, header, q1, q2, total = _rows(f)
    assert header[0] == "季度" and header[2] == "备案金额（元）"
    assert q1[:5] == ("2026Q1", 2, 8000000, 3, 18000000) and q2[:5] == ("2026Q2", 2, 3000000, 2, 15000000)
    assert total[:5] == ("合计", 4, 11000000, 2, 15000000)


def test_refusals(rw, stats_set):
    with rw.acting("viewer") as (s, actor), pytest.raises(ValidationFailed):
        export.export_statistics(s, actor, "partner", as_of=AS_OF, unit="pound")
    with rw.acting("legal") as (s, actor), pytest.raises(PermissionDenied):
        export.export_statistics(s, actor, "partner", as_of=AS_OF)
