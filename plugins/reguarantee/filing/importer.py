"""Batch filing from an .xlsx workbook (openpyxl): the first sheet's first row holds the zh-CN column headers of
``COLUMNS`` (any order; 项目编号 ... 保障比例 required, 资产负债率 and the tenant's other extra-field columns of
``EXTRA_COLUMNS`` optional), one filing a row. ``read_rows`` turns the cells into the rows of
filing/services.file_batch; a cell that cannot be read (a date that is no date, an amount that is no number) is
reported by the row check with its spreadsheet row and column header. ``template`` is the workbook to fill in: the
headers and one example row (docs/reguarantee/filings.md, "Import")."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import ValidationFailed
from surety.core.xlsx import text_cell
from surety.plugins.reguarantee.filing.checks import LABELS
from surety.plugins.reguarantee.filing.permissions import FILING
from surety.plugins.reguarantee.filing.services import BatchResult, file_batch

#: Header -> data key, in the template's order. Headers are the zh-CN labels of filing/checks.LABELS.
COLUMNS = {label: key for key, label in LABELS.items()}
#: Optional columns read into the row's ``fields`` (what eligibility rules may test): header -> field name.
EXTRA_COLUMNS = {"资产负债率": "debt_ratio", "营业收入(元)": "revenue", "从业人数": "employees"}
REQUIRED = tuple(h for h, k in COLUMNS.items() if k in ("project_ref", "customer_name", "customer_kind",
                                                        "customer_id_number", "loan_amount", "guarantee_amount",
                                                        "start_date", "end_date"))
DATE_KEYS = frozenset({"start_date", "end_date"})
NUMBER_KEYS = frozenset({"loan_amount", "guarantee_amount", "loan_rate", "cover_ratio"})
#: Most data rows a workbook may hold (as file_batch takes) and the largest file read.
MAX_ROWS = 20_000
MAX_BYTES = 20 * 1024 * 1024
EXAMPLE = {"项目编号": "XM-2026-0001", "借款合同号": "JK-2026-0001", "客户名称": "南京某科技有限公司",
           "客户类型": "企业", "证件号码": "91320500000004242C", "服务对象": "小微", "地区": "江苏省南京市",
           "行业": "制造业", "贷款银行": "南京银行", "贷款金额(元)": Decimal("6000000.00"),
           "担保金额(元)": Decimal("5000000.00"), "贷款利率": Decimal("0.0385"), "起始日": dt.date(2026, 3, 1),
           "到期日": dt.date(2027, 2, 28), "保障比例": Decimal("1"), "资产负债率": Decimal("0.65")}


@dataclass
class ReadResult:
    """The rows read and the spreadsheet row each came from."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    sheet_rows: list[int] = field(default_factory=list)


def template() -> bytes:
    """The workbook to fill in: a sheet 备案导入 with the headers and one example row."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy library, loaded when a file is made

    wb = Workbook()
    ws = wb.active
    ws.title = "备案导入"
    headers = [*COLUMNS, "资产负债率"]
    ws.append(headers)
    ws.append([text_cell(ws, EXAMPLE.get(h)) for h in headers])
    for n, h in enumerate(headers, start=1):
        ws.cell(row=2, column=n).number_format = ("yyyy-mm-dd" if COLUMNS.get(h) in DATE_KEYS else
                                                  "#,##0.00" if h.endswith("(元)") else "General")
        ws.column_dimensions[ws.cell(row=1, column=n).column_letter].width = max(12, len(h) * 2 + 2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: Any) -> Any:
    """A number cell as exact text (a float's shortest decimal text, never its binary value); text as it is."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    if text.endswith("%"):
        try:
            return str(Decimal(text[:-1]) / 100)
        except InvalidOperation:
            return text
    return text


def _date(value: Any) -> Any:
    """A date cell as a date; text in the forms 2026-03-01, 2026/3/1, 2026.3.1 or 20260301 as a date; anything else
    as its text (the row's check reports it by column)."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return text


def read_rows(content: bytes) -> ReadResult:
    """The filing rows of the workbook ``content``; ValidationFailed (field ``file``) when it is no readable .xlsx,
    is empty, misses a required column, repeats one or holds too many rows. Blank rows are skipped."""
    from openpyxl import load_workbook  # noqa: PLC0415 - heavy library, loaded when a file is read

    if len(content) > MAX_BYTES:
        raise ValidationFailed("The file is larger than {most} MB.", field="file", most=MAX_BYTES // (1024 * 1024))
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ValidationFailed("The file is not a readable .xlsx workbook; download the template and fill it in.",
                               field="file") from exc
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise ValidationFailed("The workbook is empty: the first row holds the column headers.", field="file")
        header = [_text(h) for h in header_row]
        missing = [h for h in REQUIRED if h not in header]
        if missing:
            raise ValidationFailed("The column {column} is missing.", field="file", column=missing[0])
        named = [h for h in header if h]
        if len(set(named)) != len(named):
            raise ValidationFailed("A column appears twice in the header.", field="file")
        out = ReadResult()
        for n, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if len(out.rows) >= MAX_ROWS:
                raise ValidationFailed("A batch holds 1 to {most} rows, not {count}.", field="file",
                                       most=MAX_ROWS, count=f"{MAX_ROWS}+")
            out.rows.append(_row(header, values))
            out.sheet_rows.append(n)
        return out
    finally:
        wb.close()


def _row(header: list[str], values: tuple) -> dict[str, Any]:
    row: dict[str, Any] = {"fields": {}}
    for h, value in zip(header, values, strict=False):
        key = COLUMNS.get(h)
        if key in DATE_KEYS:
            row[key] = _date(value)
        elif key in NUMBER_KEYS:
            row[key] = _number(value)
        elif key is not None:
            row[key] = _text(value)
        elif h in EXTRA_COLUMNS and value is not None and _text(value):
            row["fields"][EXTRA_COLUMNS[h]] = _number(value)
    return row


def import_workbook(session: Session, actor: Actor, agreement_id: uuid.UUID, content: bytes, *, file_name: str = "",
                    dry_run: bool = False) -> BatchResult:
    """Read the workbook and file its rows as one batch (filing/services.file_batch: all or nothing, ``dry_run``
    writes nothing); the report numbers each row as the spreadsheet does (the first data row is 2)."""
    require(session, actor, FILING, "manage")
    read = read_rows(content)
    if not read.rows:
        raise ValidationFailed("The workbook holds no rows to file.", field="file")
    return file_batch(session, actor, agreement_id, read.rows, source="xlsx", file_name=file_name, dry_run=dry_run,
                      row_numbers=read.sheet_rows)
