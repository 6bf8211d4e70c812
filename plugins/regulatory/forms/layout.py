"""A report form's rows x columns evaluated from figures (PURE: no database, no session; docs/regulatory/forms.md).

A form is data: ``columns`` ``[{key, label, period}]`` where ``period`` is one of :data:`PERIODS`, and ``rows``
``[{code, label, measure, dims, unit, kind, blank}]`` or ``[{code, label, sum, unit}]``:

- ``measure``: a figure's measure key (core/ports/regulatory.py MEASURES, or a plugin's own); ``dims`` a filter
  ``{dimension: value or [values]}`` (a figure counts when each named dimension is one of the values);
- ``kind``: ``stock`` (a balance at the column's date) or ``flow`` (summed over the column's dates); by default the
  measure catalogue's, else ``stock``. A flow has no 年初数: its ``beginning_of_year`` cell is blank (None);
- ``unit``: one of :data:`UNITS`: 元 and 万元 to two places half-up (万元 = 元 / 10,000), 户 and 笔 whole numbers;
- ``sum``: row codes (``"-code"`` subtracts) of rows with the same unit: the cell is the sum of their displayed
  cells, so a total always adds up on paper;
- ``blank``: column keys the row leaves empty.

:func:`evaluate` turns ``{period: [Figure]}`` into ``{row code: {column key: Decimal | int | None}}``; which business
dates each column period reads is services.py's (measures/periods.py ``period_dates``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from surety.core.errors import ValidationFailed
from surety.core.ports.regulatory import MEASURES, Figure

#: Column periods -> zh-CN label.
PERIODS: dict[str, str] = {
    "end_balance": "期末数（截至报告期末）",
    "beginning_of_year": "年初数（上年末）",
    "same_period_last_year": "上年同期",
    "cumulative_year": "本年累计",
    "this_period": "本期发生（本月或本季）",
    "since_inception": "成立以来累计",
}
#: Units -> places of the displayed value (None: whole number).
UNITS: dict[str, int | None] = {"元": 2, "万元": 2, "户": None, "笔": None}
KINDS = ("stock", "flow")
CADENCES: dict[str, str] = {"month": "月报", "quarter": "季报"}
TEN_THOUSAND = Decimal(10000)
MAX_ROWS = 300
MAX_COLUMNS = 10

Cell = Decimal | int | None


def kind_of(row: Mapping[str, Any]) -> str:
    if row.get("kind") in KINDS:
        return row["kind"]
    measure = MEASURES.get(row.get("measure", ""))
    return measure.kind if measure else "stock"


def shown(value: Decimal, unit: str) -> Decimal | int:
    """A yuan ``value`` (or a count) in ``unit``: 万元 and 元 rounded half-up to two places, 户/笔 whole."""
    if unit == "万元":
        return (value / TEN_THOUSAND).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if unit == "元":
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _matches(f: Figure, measure: str, dims: Mapping[str, Any]) -> bool:
    if f.measure != measure:
        return False
    have = dict(f.dims)
    for name, wanted in dims.items():
        allowed = wanted if isinstance(wanted, list | tuple) else [wanted]
        if have.get(name) not in allowed:
            return False
    return True


def raw_value(figures: Iterable[Figure], measure: str, dims: Mapping[str, Any]) -> Decimal:
    """The sum of ``measure``'s figures matching the ``dims`` filter."""
    return sum((f.value for f in figures if _matches(f, measure, dims)), Decimal(0))


def evaluate(form: Mapping[str, Any], figures: Mapping[str, Sequence[Figure]]) -> dict[str, dict[str, Cell]]:
    """Every cell of the form: ``{row code: {column key: value}}`` from the figures of each column period (a
    period missing from ``figures`` leaves its measure cells blank)."""
    by_code = {r["code"]: r for r in form["rows"]}
    cells: dict[str, dict[str, Cell]] = {}

    def row_cells(code: str, trail: tuple[str, ...] = ()) -> dict[str, Cell]:
        if code in cells:
            return cells[code]
        if code in trail:
            raise ValidationFailed("Row {code} sums itself.", field="rows", code=code)
        row = by_code[code]
        out: dict[str, Cell] = {}
        for col in form["columns"]:
            key = col["key"]
            if key in row.get("blank", ()):
                out[key] = None
            elif "sum" in row:
                parts = []
                for part in row["sum"]:
                    sign = -1 if part.startswith("-") else 1
                    value = row_cells(part.lstrip("-"), (*trail, code))[key]
                    if value is not None:
                        parts.append(sign * value)
                out[key] = sum(parts, shown(Decimal(0), row["unit"])) if parts else None
            elif col["period"] == "beginning_of_year" and kind_of(row) == "flow":
                out[key] = None
            elif col["period"] not in figures:
                out[key] = None
            else:
                out[key] = shown(raw_value(figures[col["period"]], row["measure"], row.get("dims") or {}),
                                 row["unit"])
        cells[code] = out
        return out

    for r in form["rows"]:
        row_cells(r["code"])
    return {r["code"]: cells[r["code"]] for r in form["rows"]}


def check_form(rows: Any, columns: Any) -> None:
    """Refuse a form whose rows or columns are not as the module docstring says (ValidationFailed)."""
    if not isinstance(columns, list) or not 0 < len(columns) <= MAX_COLUMNS:
        raise ValidationFailed("A form has 1 to {most} columns.", field="columns", most=MAX_COLUMNS)
    keys = set()
    for col in columns:
        if not isinstance(col, Mapping) or not col.get("key") or not col.get("label"):
            raise ValidationFailed("Every column has a key and a label.", field="columns")
        if col.get("period") not in PERIODS:
            raise ValidationFailed("Column {key}: the period is one of {choices}.", field="columns",
                                   key=str(col["key"])[:40], choices=", ".join(PERIODS))
        keys.add(col["key"])
    if len(keys) != len(columns):
        raise ValidationFailed("Two columns have the same key.", field="columns")
    if not isinstance(rows, list) or not 0 < len(rows) <= MAX_ROWS:
        raise ValidationFailed("A form has 1 to {most} rows.", field="rows", most=MAX_ROWS)
    codes: dict[str, Mapping] = {}
    for row in rows:
        if not isinstance(row, Mapping) or not row.get("code") or not row.get("label"):
            raise ValidationFailed("Every row has a code and a label.", field="rows")
        code = str(row["code"])
        if code in codes:
            raise ValidationFailed("Two rows have the code {code}.", field="rows", code=code[:40])
        if row.get("unit") not in UNITS:
            raise ValidationFailed("Row {code}: the unit is one of {choices}.", field="rows", code=code[:40],
                                   choices=", ".join(UNITS))
        if ("sum" in row) == bool(row.get("measure")):
            raise ValidationFailed("Row {code} names either a measure or the rows it sums.", field="rows",
                                   code=code[:40])
        if "dims" in row and not isinstance(row["dims"], Mapping):
            raise ValidationFailed("Row {code}: dims is an object of dimension -> value.", field="rows",
                                   code=code[:40])
        if row.get("kind") is not None and row["kind"] not in KINDS:
            raise ValidationFailed("Row {code}: the kind is stock or flow.", field="rows", code=code[:40])
        codes[code] = row
    for code, row in codes.items():
        for part in row.get("sum", ()):
            other = codes.get(str(part).lstrip("-"))
            if other is None:
                raise ValidationFailed("Row {code} sums row {part}, which the form does not have.", field="rows",
                                       code=code[:40], part=str(part)[:40])
            if other["unit"] != row["unit"]:
                raise ValidationFailed("Row {code} sums row {part} of another unit.", field="rows", code=code[:40],
                                       part=str(part)[:40])
    evaluate({"rows": rows, "columns": columns}, {})  # a sum that loops is refused here
