"""forms/layout.py: the cells of a form from figures (units, dimension filters, sums, blanks, the dates of each
column period) and the checks of a form's definition; the shipped forms pass them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from surety.core.errors import ValidationFailed
from surety.core.ports.regulatory import figure
from surety.plugins.regulatory.forms import defaults, layout

COLUMNS = [{"key": "amount", "label": "数额", "period": "end_balance"},
           {"key": "year_start", "label": "年初数", "period": "beginning_of_year"}]
B = "guarantee.in_force_balance"


def _form(rows, columns=COLUMNS):
    return {"rows": rows, "columns": columns}


def test_wan_yuan_rounds_half_up_to_two_places_and_counts_are_whole():
    rows = [{"code": "a", "label": "余额", "measure": B, "unit": "万元"},
            {"code": "b", "label": "余额元", "measure": B, "unit": "元"},
            {"code": "c", "label": "户数", "measure": "guarantee.in_force_households", "unit": "户"}]
    figs = {"end_balance": [figure(B, Decimal("12350.00")), figure("guarantee.in_force_households", 7)],
            "beginning_of_year": [figure(B, Decimal("12349.99"))]}
    cells = layout.evaluate(_form(rows), figs)
    assert cells["a"] == {"amount": Decimal("1.24"), "year_start": Decimal("1.23")}
    assert cells["b"]["amount"] == Decimal("12350.00")
    assert cells["c"] == {"amount": 7, "year_start": 0} and isinstance(cells["c"]["amount"], int)


def test_a_row_sums_the_figures_whose_dimensions_match_its_filter():
    rows = [{"code": "fin", "label": "融资", "measure": B, "dims": {"business_type": ["loan", "bond"]}, "unit": "元"},
            {"code": "sm", "label": "小微借款", "measure": B,
             "dims": {"business_type": "loan", "customer_type": "small_micro"}, "unit": "元"}]
    figs = {"end_balance": [figure(B, 100, business_type="loan", customer_type="small_micro"),
                            figure(B, 20, business_type="loan", customer_type="farmer"),
                            figure(B, 3, business_type="bond", customer_type="other_enterprise"),
                            figure(B, 4000, business_type="performance", customer_type="small_micro"),
                            figure("guarantee.issued_amount", 50000, business_type="loan")]}
    cells = layout.evaluate(_form(rows, COLUMNS[:1]), figs)
    assert cells["fin"]["amount"] == Decimal("123.00")
    assert cells["sm"]["amount"] == Decimal("100.00")


def test_a_sum_row_adds_and_subtracts_the_displayed_cells_of_its_rows():
    rows = [{"code": "t", "label": "合计", "sum": ["x", "y", "-z"], "unit": "万元"},
            {"code": "x", "label": "x", "measure": "m.x", "unit": "万元"},
            {"code": "y", "label": "y", "measure": "m.y", "unit": "万元"},
            {"code": "z", "label": "z", "sum": ["w"], "unit": "万元"},
            {"code": "w", "label": "w", "measure": "m.w", "unit": "万元"}]
    # 0.005 万元 each: shown 0.01 each, so the total of the shown cells is 0.01 + 0.01 - 0.01
    figs = {"end_balance": [figure("m.x", 50), figure("m.y", 50), figure("m.w", 50)]}
    cells = layout.evaluate(_form(rows, COLUMNS[:1]), figs)
    assert cells["t"]["amount"] == Decimal("0.01")
    assert list(cells) == ["t", "x", "y", "z", "w"]


def test_a_flow_has_no_beginning_of_year_and_blank_columns_stay_empty():
    rows = [{"code": "f", "label": "本年新增", "measure": "guarantee.issued_amount", "unit": "万元"},
            {"code": "s", "label": "余额", "measure": B, "unit": "万元", "blank": ["amount"]}]
    figs = {"end_balance": [figure("guarantee.issued_amount", 10000), figure(B, 20000)],
            "beginning_of_year": [figure("guarantee.issued_amount", 99999), figure(B, 30000)]}
    cells = layout.evaluate(_form(rows), figs)
    assert cells["f"] == {"amount": Decimal("1.00"), "year_start": None}
    assert cells["s"] == {"amount": None, "year_start": Decimal("3.00")}
    assert layout.evaluate(_form(rows), {})["s"] == {"amount": None, "year_start": None}


@pytest.mark.parametrize(("rows", "columns", "message"), [
    ([{"code": "a", "label": "a", "measure": B, "unit": "元"}],
     [{"key": "k", "label": "k", "period": "someday"}], "Column {key}: the period is one of {choices}."),
    ([{"code": "a", "label": "a", "measure": B, "unit": "吨"}], COLUMNS, "Row {code}: the unit is one of {choices}."),
    ([{"code": "a", "label": "a", "sum": ["b"], "unit": "元"}], COLUMNS,
     "Row {code} sums row {part}, which the form does not have."),
    ([{"code": "a", "label": "a", "sum": ["b"], "unit": "元"}, {"code": "b", "label": "b", "measure": B, "unit": "户"}],
     COLUMNS, "Row {code} sums row {part} of another unit."),
    ([{"code": "a", "label": "a", "sum": ["b"], "unit": "元"}, {"code": "b", "label": "b", "sum": ["a"], "unit": "元"}],
     COLUMNS, "Row {code} sums itself."),
    ([{"code": "a", "label": "a", "measure": B, "sum": ["a"], "unit": "元"}], COLUMNS,
     "Row {code} names either a measure or the rows it sums."),
    ([{"code": "a", "label": "a", "measure": B, "unit": "元"}, {"code": "a", "label": "b", "measure": B, "unit": "元"}],
     COLUMNS, "Two rows have the code {code}."),
])
def test_a_form_that_does_not_hold_together_is_refused(rows, columns, message):
    with pytest.raises(ValidationFailed) as e:
        layout.check_form(rows, columns)
    assert e.value.template == message


@pytest.mark.parametrize("code", sorted(defaults.DEFAULT_FORMS))
def test_the_shipped_forms_hold_together(code):
    form = defaults.DEFAULT_FORMS[code]
    layout.check_form(form["rows"], form["columns"])
    assert form["cadence"] in layout.CADENCES


def test_the_monthly_form_totals_the_business_types_and_reports_households():
    form = defaults.MONTHLY_MAIN
    figs = {p: [figure(B, 1_000_000, business_type="loan", customer_type="small_micro"),
                figure(B, 500_000, business_type="performance", customer_type="other_enterprise"),
                figure("guarantee.in_force_households", 2)]
            for p in ("end_balance", "beginning_of_year", "same_period_last_year")}
    cells = layout.evaluate(form, figs)
    assert cells["08"]["amount"] == Decimal("150.00")
    assert cells["08.1"]["amount"] == Decimal("100.00") and cells["08.4"]["amount"] == Decimal("50.00")
    assert cells["08.b"]["amount"] == Decimal("100.00")
    assert cells["09"] == {"amount": 2, "year_start": 2, "last_year": 2}
