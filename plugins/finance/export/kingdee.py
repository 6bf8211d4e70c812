"""金蝶 exports: the K/3 Cloud (云星空) voucher import workbook, and the K/3 / KIS voucher standard format
(凭证标准格式) as a delimited text file.

K/3 Cloud: row 1 holds the field keys (``FBillHead(GL_VOUCHER)``, ``FDate``, ``FVOUCHERGROUPID``, ...), row 2 their
captions, data from row 3; a voucher's header columns are filled on its first row only, every row is one entry
numbered by ``FEntity`` from 1, and each auxiliary dimension is a ``FDetailID#<flex key>`` column pair (code, name).
Book, organisation, currency, voucher-word codes and the dimension keys are the tenant's (:class:`CloudBook`).

Standard format: the fields of K/3's 凭证库 (FDATE, FGROUP, FNUM, FENTRYID from 0, FEXP, FACCTID, up to eight
核算项目 as class name / code / name, FDC, FDEBIT, FCREDIT, ...) as a text file with the field names on its first
line. What each format keeps of a voucher: :func:`carried_cloud`, :func:`carried_standard`; columns and what is
confirmed about them: docs/finance/exports.md."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from surety.core.errors import ValidationFailed
from surety.plugins.finance.export import common
from surety.plugins.finance.export.model import (
    AUXILIARIES,
    ExportLine,
    ExportVoucher,
    check_vouchers,
)

#: The dimensions of :class:`ExportLine`, by name (``customer``, ...), in the model's order.
DIMENSIONS = tuple(code.removesuffix("_code") for code, _ in AUXILIARIES)

# ---------------------------------------------------------------- K/3 Cloud (云星空) workbook ----------------------

#: Default K/3 Cloud dimension columns: dimension -> (flex key of FDetailID, caption). FFLEX4..7 and FFLEX14 are
#: the system's preset 核算维度 (供应商, 部门, 客户, 员工, 银行); a project has no preset one, so it defaults to the
#: first user-defined key (FF100002), which the tenant replaces with its own.
CLOUD_DIMENSIONS: Mapping[str, tuple[str, str]] = {
    "customer": ("FFLEX6", "客户"),
    "supplier": ("FFLEX4", "供应商"),
    "department": ("FFLEX5", "部门"),
    "person": ("FFLEX7", "员工"),
    "project": ("FF100002", "项目"),
    "bank": ("FFLEX14", "银行"),
}
CLOUD_SHEET_TITLE = "凭证#单据头(FBillHead)"


@dataclass(frozen=True)
class CloudBook:
    """The tenant's K/3 Cloud settings an import needs: account book (账簿) and accounting organisation (核算组织)
    codes, currency and exchange-rate-type codes (PRE001 人民币, HLTX01_SYS 固定汇率 are the system's presets), the
    code of each voucher word (凭证字: PRE001 is the preset 记), and the flex key of each dimension."""

    account_book: str
    organisation: str
    currency: str = "PRE001"
    rate_type: str = "HLTX01_SYS"
    word_codes: Mapping[str, str] = field(default_factory=lambda: {"记": "PRE001"})
    dimensions: Mapping[str, tuple[str, str]] = field(default_factory=lambda: dict(CLOUD_DIMENSIONS))

    def columns(self) -> list[tuple[str, str]]:
        """(field key, caption) of every column, in order."""
        head = [
            ("FBillHead(GL_VOUCHER)", "*单据头(序号)"), ("FAccountBookID", "*(单据头)账簿#编码"),
            ("FDate", "*(单据头)日期"), ("FYEAR", "(单据头)会计年度"), ("FPERIOD", "(单据头)期间"),
            ("FVOUCHERGROUPID", "*(单据头)凭证字#编码"), ("FVOUCHERGROUPID#Name", "(单据头)凭证字#名称"),
            ("FVOUCHERGROUPNO", "*(单据头)凭证号"), ("FATTACHMENTS", "(单据头)附件数"),
            ("FACCBOOKORGID", "*(单据头)核算组织#编码"), ("*Split*1", "间隔列"),
        ]
        entry = [("FEntity", "*分录(序号)"), ("FEXPLANATION", "(分录)摘要"),
                 ("FACCOUNTID", "*(分录)科目编码#编码"), ("FACCOUNTID#Name", "(分录)科目编码#名称")]
        for dimension in DIMENSIONS:
            if dimension in self.dimensions:
                key, caption = self.dimensions[dimension]
                entry += [(f"FDetailID#{key}", f"(分录){caption}#编码"),
                          (f"FDetailID#{key}#Name", f"(分录){caption}#名称")]
        entry += [("FCURRENCYID", "*(分录)币别#编码"), ("FEXCHANGERATETYPE", "*(分录)汇率类型#编码"),
                  ("FEXCHANGERATE", "(分录)汇率"), ("FAMOUNTFOR", "(分录)原币金额"),
                  ("FDEBIT", "(分录)借方金额"), ("FCREDIT", "(分录)贷方金额")]
        return head + entry


_CLOUD_AMOUNTS = ("FAMOUNTFOR", "FDEBIT", "FCREDIT")


def carried_cloud(voucher: ExportVoucher, book: CloudBook) -> ExportVoucher:
    """What a K/3 Cloud workbook keeps of ``voucher``: everything but the maker (the importing user becomes the
    maker), the voucher-level summary (the first entry's is given back) and dimensions without a column."""
    lines = tuple(dataclasses.replace(line, **{f: "" for d in DIMENSIONS if d not in book.dimensions
                                               for f in (f"{d}_code", f"{d}_name")})
                  for line in voucher.lines)
    return dataclasses.replace(voucher, maker="", summary=lines[0].summary if lines else "", lines=lines)


def cloud_rows(vouchers: Iterable[ExportVoucher], book: CloudBook) -> list[list[Any]]:
    """Row 1 keys, row 2 captions, then one row per entry (header cells on a voucher's first row only)."""
    columns = book.columns()
    at = {key: index for index, (key, _) in enumerate(columns)}
    out: list[list[Any]] = [[key for key, _ in columns], [caption for _, caption in columns]]
    for sequence, voucher in enumerate(check_vouchers(vouchers), start=1):
        label = common.voucher_label(voucher)
        if voucher.word not in book.word_codes:
            raise ValidationFailed("Voucher {voucher}: the voucher word {word} has no K/3 Cloud code in the export "
                                   "settings.", voucher=label, word=voucher.word)
        for number, line in enumerate(voucher.lines, start=1):
            row: list[Any] = [""] * len(columns)
            if number == 1:
                row[at["FBillHead(GL_VOUCHER)"]] = str(sequence)
                row[at["FAccountBookID"]] = book.account_book
                row[at["FDate"]] = voucher.voucher_date.isoformat()
                row[at["FYEAR"]] = voucher.period[:4]
                row[at["FPERIOD"]] = str(int(voucher.period[5:]))
                row[at["FVOUCHERGROUPID"]] = book.word_codes[voucher.word]
                row[at["FVOUCHERGROUPID#Name"]] = voucher.word
                row[at["FVOUCHERGROUPNO"]] = str(voucher.number)
                row[at["FATTACHMENTS"]] = str(voucher.attachments)
                row[at["FACCBOOKORGID"]] = book.organisation
            row[at["FEntity"]] = str(number)
            row[at["FEXPLANATION"]] = line.summary
            row[at["FACCOUNTID"]] = line.account_code
            row[at["FACCOUNTID#Name"]] = line.account_name
            for dimension, (code, name) in line.auxiliaries().items():
                if dimension not in book.dimensions:
                    raise ValidationFailed("Voucher {voucher}, line {line}: the dimension {dimension} has no K/3 "
                                           "Cloud column in the export settings.", voucher=label, line=number,
                                           dimension=dimension)
                key = book.dimensions[dimension][0]
                row[at[f"FDetailID#{key}"]] = code
                row[at[f"FDetailID#{key}#Name"]] = name
            row[at["FCURRENCYID"]] = book.currency
            row[at["FEXCHANGERATETYPE"]] = book.rate_type
            row[at["FEXCHANGERATE"]] = "1"
            row[at["FAMOUNTFOR"]] = line.amount
            row[at["FDEBIT"]] = line.debit
            row[at["FCREDIT"]] = line.credit
            out.append(row)
    return out


def to_cloud_xlsx(vouchers: Iterable[ExportVoucher], book: CloudBook) -> bytes:
    """The K/3 Cloud voucher import workbook (one sheet, ``凭证#单据头(FBillHead)``)."""
    columns = [key for key, _ in book.columns()]
    return common.workbook_bytes(CLOUD_SHEET_TITLE, cloud_rows(vouchers, book),
                                 amount_columns=[columns.index(key) for key in _CLOUD_AMOUNTS])


def parse_cloud_xlsx(data: bytes, book: CloudBook) -> list[ExportVoucher]:
    """A K/3 Cloud voucher workbook read back; columns are found by their key in row 1, so their order is free."""
    table = common.workbook_rows(data)
    if not table or "FBillHead(GL_VOUCHER)" not in table[0]:
        raise ValidationFailed("The first row is not the K/3 Cloud voucher import keys.")
    at = {common.text(key): index for index, key in enumerate(table[0]) if key}
    required = [key for key, caption in book.columns() if caption.startswith("*")]
    missing = [key for key in required if key not in at]
    if missing:
        raise ValidationFailed("The workbook has no column {key}.", key=missing[0])
    words = {code: word for word, code in book.word_codes.items()}
    dims = {dimension: key for dimension, (key, _) in book.dimensions.items()}

    def cell(row: list[Any], key: str) -> Any:
        index = at.get(key)
        return row[index] if index is not None and index < len(row) else None

    groups: list[tuple[int, list[Any], list[tuple[int, list[Any]]]]] = []
    for number, row in enumerate(table[2:], start=3):
        if common.text(cell(row, "FBillHead(GL_VOUCHER)")).strip():
            groups.append((number, row, []))
        elif not groups:
            raise ValidationFailed("Row {row}: an entry before the first voucher header.", row=number)
        groups[-1][2].append((number, row))
    out = []
    for first_row, head, entries in groups:
        day = common.parse_date(cell(head, "FDate"), row=first_row)
        year = common.parse_whole(cell(head, "FYEAR"), row=first_row, default=day.year)
        month = common.parse_whole(cell(head, "FPERIOD"), row=first_row, default=day.month)
        word = common.text(cell(head, "FVOUCHERGROUPID#Name")) or words.get(common.text(cell(head, "FVOUCHERGROUPID")),
                                                                            "")
        lines = []
        for expected, (number, row) in enumerate(entries, start=1):
            if common.parse_whole(cell(row, "FEntity"), row=number) != expected:
                raise ValidationFailed("Row {row}: entries must be numbered 1, 2, 3, ... within a voucher.",
                                       row=number)
            aux = {}
            for dimension in DIMENSIONS:
                key = dims.get(dimension)
                aux[f"{dimension}_code"] = common.text(cell(row, f"FDetailID#{key}")) if key else ""
                aux[f"{dimension}_name"] = common.text(cell(row, f"FDetailID#{key}#Name")) if key else ""
            lines.append(ExportLine(summary=common.text(cell(row, "FEXPLANATION")),
                                    account_code=common.text(cell(row, "FACCOUNTID")),
                                    account_name=common.text(cell(row, "FACCOUNTID#Name")),
                                    debit=common.parse_amount(cell(row, "FDEBIT"), row=number),
                                    credit=common.parse_amount(cell(row, "FCREDIT"), row=number), **aux))
        out.append(ExportVoucher(
            voucher_date=day, period=f"{year:04d}-{month:02d}", word=word,
            number=common.parse_whole(cell(head, "FVOUCHERGROUPNO"), row=first_row), summary=lines[0].summary,
            maker="", lines=tuple(lines),
            attachments=common.parse_whole(cell(head, "FATTACHMENTS"), row=first_row, default=0)))
    return check_vouchers(out)


# ---------------------------------------------------------------- K/3 / KIS standard format (凭证标准格式) ----------

#: Default 核算项目 class names of the standard format, by dimension. 客户, 供应商, 部门 and 职员 are K/3's preset
#: classes; 项目 and 银行 must exist as user-defined classes of those names in the receiving account set.
STANDARD_CLASSES: Mapping[str, str] = {
    "customer": "客户", "supplier": "供应商", "department": "部门", "person": "职员", "project": "项目",
    "bank": "银行",
}
#: Slots for 核算项目 on one entry in the standard format.
STANDARD_SLOTS = 8
STANDARD_FIELDS = (
    "FDATE", "FTRANSDATE", "FPERIOD", "FGROUP", "FNUM", "FENTRYID", "FEXP", "FACCTID",
    *(f"{name}{slot}" for slot in range(1, STANDARD_SLOTS + 1) for name in ("FCLSNAME", "FOBJID", "FOBJNAME")),
    "FTRANSID", "FCYID", "FEXCHRATE", "FDC", "FFCYAMT", "FQTY", "FPRICE", "FDEBIT", "FCREDIT", "FSETTLCODE",
    "FSETTLENO", "FPREPARE", "FATTCHMENT",
)
_STD = {name: index for index, name in enumerate(STANDARD_FIELDS)}
STANDARD_DELIMITER = "\t"
DEFAULT_ENCODING = "gbk"


def _tab(value: str) -> str:
    return common.cell_text(value, STANDARD_DELIMITER)


def carried_standard(voucher: ExportVoucher) -> ExportVoucher:
    """What the standard format keeps of ``voucher``: everything but account names (FACCTID only) and the
    voucher-level summary (the first entry's is given back); text cells as a tab-separated line holds them."""
    lines = tuple(
        ExportLine(summary=_tab(line.summary), account_code=_tab(line.account_code), account_name="",
                   debit=line.debit, credit=line.credit,
                   **{f: _tab(getattr(line, f)) for pair in AUXILIARIES for f in pair})
        for line in voucher.lines)
    return dataclasses.replace(voucher, word=_tab(voucher.word), maker=_tab(voucher.maker),
                               summary=lines[0].summary if lines else "", lines=lines)


def standard_rows(vouchers: Iterable[ExportVoucher],
                  classes: Mapping[str, str] = STANDARD_CLASSES) -> list[list[str]]:
    """The field names, then one row per entry, every cell as text."""
    out = [list(STANDARD_FIELDS)]
    for voucher in check_vouchers(vouchers):
        label = common.voucher_label(voucher)
        for entry, line in enumerate(voucher.lines):
            row = [""] * len(STANDARD_FIELDS)
            row[_STD["FDATE"]] = row[_STD["FTRANSDATE"]] = voucher.voucher_date.isoformat()
            row[_STD["FPERIOD"]] = str(int(voucher.period[5:]))
            row[_STD["FGROUP"]] = _tab(voucher.word)
            row[_STD["FNUM"]] = str(voucher.number)
            row[_STD["FENTRYID"]] = str(entry)
            row[_STD["FEXP"]] = _tab(line.summary)
            row[_STD["FACCTID"]] = _tab(line.account_code)
            for slot, (dimension, (code, name)) in enumerate(line.auxiliaries().items(), start=1):
                if dimension not in classes:
                    raise ValidationFailed("Voucher {voucher}, line {line}: the dimension {dimension} has no "
                                           "auxiliary class in the export settings.", voucher=label, line=entry + 1,
                                           dimension=dimension)
                row[_STD[f"FCLSNAME{slot}"]] = classes[dimension]
                row[_STD[f"FOBJID{slot}"]] = _tab(code)
                row[_STD[f"FOBJNAME{slot}"]] = _tab(name)
            row[_STD["FCYID"]] = "RMB"
            row[_STD["FEXCHRATE"]] = "1"
            row[_STD["FDC"]] = "1" if line.debit else "0"
            row[_STD["FFCYAMT"]] = common.amount_text(line.amount)
            row[_STD["FQTY"]] = row[_STD["FPRICE"]] = "0"
            row[_STD["FDEBIT"]] = common.amount_text(line.debit)
            row[_STD["FCREDIT"]] = common.amount_text(line.credit)
            row[_STD["FPREPARE"]] = _tab(voucher.maker)
            row[_STD["FATTCHMENT"]] = str(voucher.attachments)
            out.append(row)
    return out


def to_standard_text(vouchers: Iterable[ExportVoucher], *, encoding: str = DEFAULT_ENCODING,
                     classes: Mapping[str, str] = STANDARD_CLASSES) -> bytes:
    """The standard-format text file: tab-separated, field names on line 1, CRLF, in ``encoding`` (GBK)."""
    table = standard_rows(vouchers, classes)
    return common.encoded([STANDARD_DELIMITER.join(row) for row in table], encoding,
                          voucher=lambda index: f"{table[index][_STD['FGROUP']]}-{table[index][_STD['FNUM']]}"
                          if index else "")


def parse_standard_text(data: bytes, *, encoding: str = DEFAULT_ENCODING,
                        classes: Mapping[str, str] = STANDARD_CLASSES) -> list[ExportVoucher]:
    """A standard-format text file read back; columns are found by their field name on line 1."""
    lines = common.decoded(data, encoding)
    if not lines or "FACCTID" not in lines[0].split(STANDARD_DELIMITER):
        raise ValidationFailed("The first line is not the field names of the Kingdee standard format.")
    at = {name: index for index, name in enumerate(lines[0].split(STANDARD_DELIMITER))}
    dimension_of = {name: dimension for dimension, name in classes.items()}
    table = [line.split(STANDARD_DELIMITER) for line in lines[1:]]

    def cell(row: list[str], name: str) -> str:
        index = at.get(name)
        return row[index] if index is not None and index < len(row) else ""

    out = []
    numbered = list(enumerate(table))
    for group in common.grouped(numbered, lambda item: (cell(item[1], "FDATE"), cell(item[1], "FGROUP"),
                                                        cell(item[1], "FNUM")), row=lambda index: index + 2):
        first_index, first = group[0]
        day = common.parse_date(cell(first, "FDATE"), row=first_index + 2)
        month = common.parse_whole(cell(first, "FPERIOD"), row=first_index + 2, default=day.month)
        entries = []
        for expected, (index, row) in enumerate(group):
            if common.parse_whole(cell(row, "FENTRYID"), row=index + 2) != expected:
                raise ValidationFailed("Row {row}: entries must be numbered 0, 1, 2, ... within a voucher.",
                                       row=index + 2)
            aux = {}
            for slot in range(1, STANDARD_SLOTS + 1):
                class_name = cell(row, f"FCLSNAME{slot}")
                if not class_name:
                    continue
                if class_name not in dimension_of:
                    raise ValidationFailed("Row {row}: unknown auxiliary class {name}.", row=index + 2,
                                           name=class_name)
                aux[f"{dimension_of[class_name]}_code"] = cell(row, f"FOBJID{slot}")
                aux[f"{dimension_of[class_name]}_name"] = cell(row, f"FOBJNAME{slot}")
            debit = common.parse_amount(cell(row, "FDEBIT"), row=index + 2)
            credit = common.parse_amount(cell(row, "FCREDIT"), row=index + 2)
            if cell(row, "FDC") not in ("", "1" if debit else "0"):
                raise ValidationFailed("Row {row}: FDC does not match the side of the amount.", row=index + 2)
            entries.append(ExportLine(summary=cell(row, "FEXP"), account_code=cell(row, "FACCTID"),
                                      account_name="", debit=debit, credit=credit, **aux))
        out.append(ExportVoucher(
            voucher_date=day, period=f"{day.year:04d}-{month:02d}", word=cell(first, "FGROUP"),
            number=common.parse_whole(cell(first, "FNUM"), row=first_index + 2), summary=entries[0].summary,
            maker=cell(first, "FPREPARE"), lines=tuple(entries),
            attachments=common.parse_whole(cell(first, "FATTCHMENT"), row=first_index + 2, default=0)))
    return check_vouchers(out)

