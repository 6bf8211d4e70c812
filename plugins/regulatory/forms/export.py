"""A report as an .xlsx in its form's layout (zh-CN): the title (the form's name), the company, the period and the
business date, the report's version and status, the unit line, a header row (行次, 项目, 单位, then the form's
columns) and a row per form row with its code, label, unit and cells as filed (万元 to two places, 户/笔 whole, a
blank cell empty). Written through core/xlsx.py (write-only, text never a formula). Needs regulatory:report:read;
audited."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.context import Actor
from surety.core.db.session import session_tenant
from surety.core.xlsx import MONEY_FORMAT, styled_cell, text_cell
from surety.plugins.regulatory.forms import periods, services
from surety.plugins.regulatory.forms.models import REPORT_STATUSES
from surety.plugins.regulatory.forms.permissions import REPORT
from surety.tenants.models import Tenant

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIXED_HEADERS = ("行次", "项目", "单位")
WIDTHS = (8, 40, 6)


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    data: bytes


def to_xlsx(session: Session, actor: Actor, report_id: uuid.UUID) -> ExportFile:
    """The report ``report_id`` as an .xlsx file (module docstring)."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy library, loaded when a file is made
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 - heavy library, loaded when a file is made

    report = services.get_report(session, actor, report_id)
    form = services.form_of(session, report)
    tenant = session.get(Tenant, session_tenant(session))
    company = tenant.name if tenant is not None else ""
    units = "、".join(dict.fromkeys(r["unit"] for r in form.rows))
    p = periods.parse(report.period)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(form.name[:31])
    for n, width in enumerate((*WIDTHS, *(14 for _ in form.columns))):
        ws.column_dimensions[get_column_letter(n + 1)].width = width
    ws.append([text_cell(ws, form.name)])
    ws.append([text_cell(ws, f"填报单位：{company}")])
    ws.append([text_cell(ws, f"报告期：{p.label}（数据截至 {report.as_of.isoformat()}）　第 {report.version} 版　"
                             f"{REPORT_STATUSES.get(report.status, report.status)}")])
    ws.append([text_cell(ws, f"单位：{units}")])
    ws.append([text_cell(ws, h) for h in (*FIXED_HEADERS, *(c["label"] for c in form.columns))])
    money = [styled_cell(ws, MONEY_FORMAT) for _ in form.columns]
    whole = [styled_cell(ws, "#,##0") for _ in form.columns]
    for row in form.rows:
        values = report.cells.get(row["code"]) or {}
        line = [text_cell(ws, row["code"]), text_cell(ws, row["label"]), text_cell(ws, row["unit"])]
        for n, col in enumerate(form.columns):
            value = values.get(col["key"])
            if value is None:
                line.append(None)
            elif isinstance(value, int):
                whole[n].value = value
                line.append(whole[n])
            else:
                money[n].value = Decimal(value)
                line.append(money[n])
        ws.append(line)
    out = io.BytesIO()
    wb.save(out)
    audit(session, "regulatory.report.exported", entity_type=REPORT, entity_id=report.id,
          after={"form_code": report.form_code, "period": report.period, "version": report.version})
    return ExportFile(f"{report.form_code}-{report.period}-v{report.version}.xlsx", CONTENT_TYPE, out.getvalue())
