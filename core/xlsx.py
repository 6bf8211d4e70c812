""".xlsx files written safely and streamed: every export (the audit log, a plugin's ledger) writes through these.

- :func:`text_cell`: a string as text, never a formula or an error value (openpyxl reads a leading ``=`` as a
  formula, so a customer named ``=HYPERLINK(...)`` would become a live formula in the reader's spreadsheet, and
  ``#N/A`` as an error), with the characters XML cannot hold replaced by U+FFFD.
- :func:`styled_cell`: a cell with a number format, made once and reused row after row (a write-only sheet writes a
  row as it is appended, so the cell's value can change for the next row).
- :class:`Sheet`: a write-only sheet of typed columns ``(key, header, kind)``: text through :func:`text_cell`, money,
  dates and rates in styled cells, a running total of every money column for the footer.

openpyxl is imported when a file is made (it is heavy, and most processes never write one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
RATE_FORMAT = "0.00##"
#: Column kind -> number format of its cells (kinds not listed, ``text`` and ``int``, are written as they are).
FORMATS = {"money": MONEY_FORMAT, "date": DATE_FORMAT, "rate": RATE_FORMAT}
ZERO = Decimal("0.00")


def text_cell(ws, value: Any) -> Any:
    """``value`` for ``ws.append``: a string cleaned of illegal characters, and when openpyxl would read it as a
    formula (a leading ``=``) or an error value (``#N/A``, ``#DIV/0!``, ...) a cell typed as text; anything else as it
    is (a plain string stays a plain value: no cell object per row)."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE  # noqa: PLC0415 - heavy library, loaded late

    clean = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if not clean.startswith("=") and clean not in ERROR_CODES:
        return clean
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 - heavy library, loaded when a file is made

    cell = WriteOnlyCell(ws, value=clean)
    cell.data_type = "s"
    return cell


def styled_cell(ws, number_format: str):
    """A write-only cell of ``ws`` with ``number_format``, to be given a value and appended row after row."""
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 - heavy library, loaded when a file is made

    cell = WriteOnlyCell(ws)
    cell.number_format = number_format
    return cell


class Sheet:
    """A write-only sheet with typed columns ``(key, header, kind)`` (kind: text, money, int, date, rate): the
    ``header_rows`` first (e.g. a title row and the headers), panes frozen at ``freeze``, column widths from
    ``widths`` (else twice the header's length, at least 12). :meth:`append` writes a row from a dict by key (a
    missing money value is 0.00 and counts in the total); :meth:`footer` the totals row."""

    def __init__(self, wb, title: str, columns: Sequence[tuple[str, str, str]], header_rows: Iterable[Sequence[Any]],
                 *, widths: Mapping[str, int] | None = None, freeze: str | None = "B3",
                 formats: Mapping[str, str] | None = None):
        from openpyxl.utils import get_column_letter  # noqa: PLC0415 - heavy library, loaded when a file is made

        self.ws = wb.create_sheet(title)
        self.columns = tuple(columns)
        if freeze:
            self.ws.freeze_panes = freeze
        widths = widths or {}
        for n, (key, header, _) in enumerate(self.columns):
            self.ws.column_dimensions[get_column_letter(n + 1)].width = widths.get(key, max(12, len(header) * 2))
        for row in header_rows:
            self.ws.append([text_cell(self.ws, v) for v in row])
        formats = {**FORMATS, **(formats or {})}
        self.cells: list[Any] = [styled_cell(self.ws, formats[kind]) if kind in formats else None
                                 for _, _, kind in self.columns]
        self.totals = {key: ZERO for key, _, kind in self.columns if kind == "money"}
        self.count = 0

    def append(self, values: Mapping[str, Any]) -> None:
        """One row: ``values`` by column key."""
        row: list[Any] = []
        for cell, (key, _, kind) in zip(self.cells, self.columns, strict=True):
            value = values.get(key)
            if kind == "money":
                value = ZERO if value is None else value
                self.totals[key] += value
            if kind == "text":
                row.append(text_cell(self.ws, value))
            elif cell is not None and value is not None:
                cell.value = value
                row.append(cell)
            else:
                row.append(value)
        self.ws.append(row)
        self.count += 1

    def footer(self, values: Mapping[str, Any]) -> None:
        """The totals row: every money column's total, ``values`` in the text and int columns they name (e.g. a
        label and a count), the other columns blank."""
        row: list[Any] = []
        for cell, (key, _, kind) in zip(self.cells, self.columns, strict=True):
            if kind == "money":
                cell.value = values.get(key, self.totals[key])
                row.append(cell)
            elif kind in ("text", "int"):
                row.append(text_cell(self.ws, values.get(key)))
            else:
                row.append(None)
        self.ws.append(row)
