"""What every exporter of this package shares: amounts as text, text cells a delimited file can hold, encoding with
a readable refusal, and spreadsheets written and read as rows of cells (openpyxl)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Hashable, Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook

from surety.core.errors import ValidationFailed
from surety.plugins.finance.export.model import FEN, ExportVoucher

#: Replacements for characters a delimited line cannot hold inside a cell (the vendors' importers know no quoting).
_LINE_BREAKS = {"\r": " ", "\n": " "}
#: What a delimiter inside a text cell becomes: its full-width form where Chinese text has one, else a space.
_DELIMITER_STAND_INS = {",": "，", "\t": " ", ";": "；", "|": "｜"}


def amount_text(value: Decimal) -> str:
    """``10000.00``: yuan with exactly two decimals, no thousands separator (what the importers read)."""
    return f"{value.quantize(FEN):f}"


def parse_amount(raw: Any, *, row: int) -> Decimal:
    """An amount cell read back: text, a number or empty (zero); refused when it is no amount of yuan and fen."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Decimal("0.00")
    try:
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationFailed("Row {row}: {value} is not an amount.", row=row, value=str(raw)) from None
    if not value.is_finite() or value != value.quantize(FEN):
        raise ValidationFailed("Row {row}: {value} is not an amount.", row=row, value=str(raw))
    return value.quantize(FEN)


def parse_date(raw: Any, *, row: int) -> dt.date:
    """A date cell read back: ``YYYY-MM-DD`` text, or a spreadsheet date."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationFailed("Row {row}: {value} is not a date of the form YYYY-MM-DD.", row=row,
                               value=str(raw)) from None


def parse_whole(raw: Any, *, row: int, default: int | None = None) -> int:
    """A whole-number cell read back (a voucher number, an entry number, attachments)."""
    if (raw is None or str(raw).strip() == "") and default is not None:
        return default
    text = str(raw).strip()
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if not text.isdigit():
        raise ValidationFailed("Row {row}: {value} is not a whole number.", row=row, value=text)
    return int(text)


def cell_text(value: str, delimiter: str) -> str:
    """``value`` as a delimited line can hold it: line breaks become spaces, the delimiter its stand-in."""
    for char, stand_in in _LINE_BREAKS.items():
        value = value.replace(char, stand_in)
    return value.replace(delimiter, _DELIMITER_STAND_INS.get(delimiter, " "))


def text(raw: Any) -> str:
    """A text cell read back ("" for an empty one)."""
    return "" if raw is None else str(raw)


def encoded(lines: Iterable[str], encoding: str, *, voucher: Callable[[int], str]) -> bytes:
    """The lines joined with CRLF (the importers are Windows programs) and encoded; a line the encoding cannot
    write is refused naming its voucher (``voucher(index)``), never written with replacement characters."""
    out = []
    for index, line in enumerate(lines):
        try:
            out.append(line.encode(encoding) + b"\r\n")
        except UnicodeEncodeError as exc:
            raise ValidationFailed("Voucher {voucher}: the character {char} cannot be written in the encoding "
                                   "{encoding}; export in gb18030 or utf-8 instead.", voucher=voucher(index),
                                   char=exc.object[exc.start:exc.end], encoding=encoding) from None
        except LookupError:
            raise ValidationFailed("Unknown encoding {encoding}.", encoding=encoding) from None
    return b"".join(out)


def decoded(data: bytes, encoding: str) -> list[str]:
    """The non-empty lines of an exported text file."""
    try:
        content = data.decode(encoding)
    except UnicodeDecodeError:
        raise ValidationFailed("The file is not text in the encoding {encoding}.", encoding=encoding) from None
    except LookupError:
        raise ValidationFailed("Unknown encoding {encoding}.", encoding=encoding) from None
    return [line for line in content.lstrip("\ufeff").splitlines() if line.strip()]


def workbook_bytes(sheet_title: str, rows: Iterable[Sequence[Any]], *, amount_columns: Iterable[int] = ()) -> bytes:
    """An .xlsx of one sheet holding ``rows``; amount columns (0-based) get the number format ``0.00``."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    amounts = {index + 1 for index in amount_columns}
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if cell.column in amounts and isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
            elif cell.data_type == "f":  # text such as "=1+1" is a summary, never a formula
                cell.data_type = "s"
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def workbook_rows(data: bytes) -> list[list[Any]]:
    """The rows of the first sheet of an .xlsx, trailing empty cells and empty rows dropped."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises several unrelated types for a file that is not a workbook
        raise ValidationFailed("The file is not an .xlsx workbook.") from None
    try:
        rows = []
        for row in book.worksheets[0].iter_rows(values_only=True):
            cells = list(row)
            while cells and (cells[-1] is None or cells[-1] == ""):
                cells.pop()
            if cells:
                rows.append(cells)
        return rows
    finally:
        book.close()


def grouped(rows: Sequence[Any], key: Callable[[Any], Hashable], *, row: Callable[[int], int]) -> list[list[Any]]:
    """Consecutive rows with the same voucher key, as one group each; a key that comes back after another voucher
    is refused (the importers need a voucher's lines together)."""
    groups: list[list[Any]] = []
    seen: set[Hashable] = set()
    current: Hashable = object()
    for index, item in enumerate(rows):
        this = key(item)
        if groups and this == current:
            groups[-1].append(item)
            continue
        if this in seen:
            raise ValidationFailed("Row {row}: the lines of one voucher are not together.", row=row(index))
        seen.add(this)
        current = this
        groups.append([item])
    return groups


def voucher_label(voucher: ExportVoucher) -> str:
    """``记-0001 (2026-01)`` for messages."""
    return f"{voucher.word}-{voucher.number:04d} ({voucher.period})"
