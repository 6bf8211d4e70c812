"""The statistics (monitor/stats.py) as an .xlsx file: a title row (the tenant, the dimension, the window and the
unit), a zh-CN header row naming the unit of every amount column, one row per group, the totals row (合计). Amounts
in 元 or 万元 (core/units.py, exact: 万元 cells keep six decimals), ratios in percent. Needs reguarantee:monitor:read;
audited (``reguarantee.statistics.exported``)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from surety.core import units
from surety.core.audit.log import audit
from surety.core.context import Actor
from surety.core.db.session import session_tenant
from surety.core.xlsx import Sheet
from surety.plugins.reguarantee.monitor import stats
from surety.tenants.models import Tenant

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "再担保业务统计"
#: 万元 keep the exact value (yuan to the fen are six decimals of 万元).
WAN_FORMAT = "#,##0.000000"


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    data: bytes
    rows: int


def columns(dimension: str, unit: str) -> tuple[tuple[str, str, str], ...]:
    """``(key, zh-CN header, kind)`` of every column; amounts name ``unit``."""
    u = units.AMOUNT_UNIT_LABELS[unit][0]
    return (
        ("label", stats.DIMENSIONS[dimension], "text"), ("filed_count", "备案笔数", "int"),
        ("filed_amount", f"备案金额（{u}）", "money"), ("balance_count", "在保笔数", "int"),
        ("balance", f"在保余额（{u}）", "money"), ("reguarantor_balance", f"本公司分险余额（{u}）", "money"),
        ("risk_share_ratio", "本公司分险比例（%）", "rate"), ("avg_loan_rate", "加权平均贷款利率（%）", "rate"),
        ("released", f"解保金额（{u}）", "money"), ("compensated", f"代偿解保金额（{u}）", "money"),
        ("compensation_rate", "代偿率（%）", "rate"), ("recovered", f"追偿回收金额（{u}）", "money"),
        ("recovered_share", f"本公司回收分成（{u}）", "money"),
    )


def _values(row: stats.StatRow, cols, unit: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, _, kind in cols:
        value = getattr(row, key)
        if kind == "money":
            value = units.amount_in(value, unit)
        elif kind == "rate":
            value = units.rate_in(value, units.PERCENT)
        out[key] = value
    return out


def export_statistics(session: Session, actor: Actor, dimension: str, *, as_of: dt.date | None = None,
                      date_from: dt.date | None = None, unit: str = units.YUAN) -> ExportFile:
    """The statistics by ``dimension`` as an .xlsx file (needs reguarantee:monitor:read); audited."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy library, loaded when a file is made

    unit = getattr(unit, "value", unit)
    units.amount_in(stats.ZERO, unit)  # refuses an unknown unit with its message
    result = stats.statistics(session, actor, dimension, as_of=as_of, date_from=date_from)
    cols = columns(dimension, unit)
    tenant = session.get(Tenant, session_tenant(session))
    title = (f"{tenant.name if tenant else ''} 再担保业务统计（按{stats.DIMENSIONS[dimension]}，"
             f"{result.date_from.isoformat()} 至 {result.as_of.isoformat()}，"
             f"金额单位：{units.AMOUNT_UNIT_LABELS[unit][0]}）")
    wb = Workbook(write_only=True)
    sheet = Sheet(wb, SHEET, cols, ([title], [h for _, h, _ in cols]), widths={"label": 30},
                  formats={"money": WAN_FORMAT} if unit == units.WAN else None)
    for row in result.rows:
        sheet.append(_values(row, cols, unit))
    sheet.append(_values(result.total, cols, unit))
    out = io.BytesIO()
    wb.save(out)
    audit(session, "reguarantee.statistics.exported", entity_type="reguarantee:statistics",
          after={"dimension": dimension, "date_from": result.date_from.isoformat(),
                 "as_of": result.as_of.isoformat(), "unit": unit, "rows": len(result.rows)}, actor=actor)
    name = f"reguarantee-statistics-{dimension}-{result.as_of.isoformat()}.xlsx"
    return ExportFile(filename=name, content_type=CONTENT_TYPE, data=out.getvalue(), rows=len(result.rows))
