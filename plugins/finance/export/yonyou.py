"""用友 U8 voucher import (总账 凭证引入): a delimited text file, and the same columns as an .xlsx with a caption row.

One row per voucher line; the voucher header (date, voucher word, number, attachments, maker) repeats on every line,
and [制单日期 + 凭证类别字 + 凭证号] identifies the voucher, whose lines must be consecutive. Exactly one of debit and
credit is non-zero. U8 knows no voucher-level summary, account names or auxiliary names (it looks codes up in its own
archives) and has no bank dimension: :func:`carried` says what comes back. Columns and what is confirmed about them:
docs/finance/exports.md."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from surety.core.errors import ValidationFailed
from surety.plugins.finance.export import common
from surety.plugins.finance.export.model import ExportLine, ExportVoucher, check_vouchers, period_of

#: The columns of one row, in order (captions as the U8 凭证引入 help names them).
COLUMNS = (
    "制单日期", "凭证类别字", "凭证号", "附单据数", "摘要", "科目编码", "借方金额", "贷方金额",
    "数量", "外币", "汇率", "制单人", "结算方式", "票号", "发生日期",
    "部门编码", "个人编码", "客户编码", "供应商编码", "业务员", "项目编码",
)
_AT = {name: index for index, name in enumerate(COLUMNS)}
#: Auxiliary code columns and the ExportLine field each carries.
AUXILIARY_COLUMNS = {"部门编码": "department_code", "个人编码": "person_code", "客户编码": "customer_code",
                     "供应商编码": "supplier_code", "项目编码": "project_code"}
#: Default text encoding: U8 is a Windows program reading the ANSI code page of Simplified Chinese Windows (936).
DEFAULT_ENCODING = "gbk"
DEFAULT_DELIMITER = ","
SHEET_TITLE = "凭证"


def _clean(value: str, delimiter: str | None) -> str:
    return value if delimiter is None else common.cell_text(value, delimiter)


def carried(voucher: ExportVoucher, delimiter: str | None = DEFAULT_DELIMITER) -> ExportVoucher:
    """What a U8 file keeps of ``voucher`` (what its parser gives back): codes, amounts, line summaries, header; no
    names, no bank, the first line's summary as the voucher's; text cells as a delimited line holds them
    (``delimiter`` None for the .xlsx)."""
    lines = tuple(
        ExportLine(summary=_clean(line.summary, delimiter), account_code=_clean(line.account_code, delimiter),
                   account_name="", debit=line.debit, credit=line.credit,
                   **{field: _clean(getattr(line, field), delimiter) for field in AUXILIARY_COLUMNS.values()})
        for line in voucher.lines)
    return dataclasses.replace(voucher, word=_clean(voucher.word, delimiter), maker=_clean(voucher.maker, delimiter),
                               summary=lines[0].summary if lines else "", lines=lines)


def rows(vouchers: Iterable[ExportVoucher], delimiter: str | None = None) -> list[list[Any]]:
    """One row of cells per voucher line (amounts as Decimal), every voucher checked first."""
    out = []
    for voucher in check_vouchers(vouchers):
        for line in voucher.lines:
            row: list[Any] = [""] * len(COLUMNS)
            row[_AT["制单日期"]] = voucher.voucher_date.isoformat()
            row[_AT["凭证类别字"]] = _clean(voucher.word, delimiter)
            row[_AT["凭证号"]] = str(voucher.number)
            row[_AT["附单据数"]] = str(voucher.attachments)
            row[_AT["摘要"]] = _clean(line.summary, delimiter)
            row[_AT["科目编码"]] = _clean(line.account_code, delimiter)
            row[_AT["借方金额"]] = line.debit
            row[_AT["贷方金额"]] = line.credit
            row[_AT["制单人"]] = _clean(voucher.maker, delimiter)
            for column, field in AUXILIARY_COLUMNS.items():
                row[_AT[column]] = _clean(getattr(line, field), delimiter)
            out.append(row)
    return out


def to_text(vouchers: Iterable[ExportVoucher], *, encoding: str = DEFAULT_ENCODING,
            delimiter: str = DEFAULT_DELIMITER) -> bytes:
    """The 凭证引入 text file: no caption line, one line per voucher line, CRLF, in ``encoding`` (GBK by default)."""
    table = rows(vouchers, delimiter)
    lines = [delimiter.join(common.amount_text(cell) if index in (_AT["借方金额"], _AT["贷方金额"]) else cell
                            for index, cell in enumerate(row)) for row in table]
    return common.encoded(lines, encoding, voucher=lambda index: f"{table[index][_AT['凭证类别字']]}-"
                                                                 f"{table[index][_AT['凭证号']]}")


def to_xlsx(vouchers: Iterable[ExportVoucher]) -> bytes:
    """The same columns as an .xlsx: captions in row 1, one voucher line per row from row 2."""
    return common.workbook_bytes(SHEET_TITLE, [list(COLUMNS), *rows(vouchers)],
                                 amount_columns=(_AT["借方金额"], _AT["贷方金额"]))


def _vouchers(table: list[list[Any]], first_row: int) -> list[ExportVoucher]:
    def where(index: int) -> int:
        return first_row + index

    for index, row in enumerate(table):
        if len(row) < _AT["贷方金额"] + 1 or len(row) > len(COLUMNS):
            raise ValidationFailed("Row {row}: expected {expected} columns, found {found}.", row=where(index),
                                   expected=len(COLUMNS), found=len(row))
        row.extend([""] * (len(COLUMNS) - len(row)))
    numbered = list(enumerate(table))
    out = []
    for group in common.grouped(numbered, lambda item: (common.text(item[1][_AT["制单日期"]]).strip(),
                                                          common.text(item[1][_AT["凭证类别字"]]),
                                                          common.text(item[1][_AT["凭证号"]]).strip()),
                                row=where):
        first_index, first = group[0]
        day = common.parse_date(first[_AT["制单日期"]], row=where(first_index))
        lines = []
        for index, row in group:
            lines.append(ExportLine(
                summary=common.text(row[_AT["摘要"]]), account_code=common.text(row[_AT["科目编码"]]),
                account_name="",
                debit=common.parse_amount(row[_AT["借方金额"]], row=where(index)),
                credit=common.parse_amount(row[_AT["贷方金额"]], row=where(index)),
                **{field: common.text(row[_AT[column]]) for column, field in AUXILIARY_COLUMNS.items()}))
        out.append(ExportVoucher(
            voucher_date=day, period=period_of(day), word=common.text(first[_AT["凭证类别字"]]),
            number=common.parse_whole(first[_AT["凭证号"]], row=where(first_index)),
            summary=lines[0].summary, maker=common.text(first[_AT["制单人"]]), lines=tuple(lines),
            attachments=common.parse_whole(first[_AT["附单据数"]], row=where(first_index), default=0)))
    return check_vouchers(out)


def parse_text(data: bytes, *, encoding: str = DEFAULT_ENCODING, delimiter: str = DEFAULT_DELIMITER
               ) -> list[ExportVoucher]:
    """A U8 凭证引入 text file read back into vouchers (checked as :func:`model.check_voucher` checks them)."""
    return _vouchers([line.split(delimiter) for line in common.decoded(data, encoding)], first_row=1)


def parse_xlsx(data: bytes) -> list[ExportVoucher]:
    """The .xlsx variant read back; its first row must be the captions."""
    table = common.workbook_rows(data)
    if not table or tuple(common.text(cell) for cell in table[0]) != COLUMNS:
        raise ValidationFailed("The first row is not the U8 voucher import captions.")
    return _vouchers([list(row) for row in table[1:]], first_row=2)
