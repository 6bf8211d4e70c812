"""The 用友 U8 and 金蝶 exports: random vouchers round-trip through every format's own parser (what the format keeps
of them, ``carried``), every line has one non-zero side with two decimals, Chinese text survives the encoding, and
the K/3 Cloud workbook fills a voucher's header columns on its first row only."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from surety.core.errors import ValidationFailed
from surety.plugins.finance.export import common, kingdee, yonyou
from surety.plugins.finance.export.model import AUXILIARIES, ExportLine, ExportVoucher, check_voucher, period_of

D = Decimal
BOOK = kingdee.CloudBook("001", "100", word_codes={"记": "PRE001", "收": "PRE002", "付": "PRE003", "转": "PRE004"})
#: Characters GBK can write, with the delimiters and line breaks the exporters must neutralise.
CHINESE = "收到担保费入银行存款客户项目部门张三李四甲乙公司退还代偿追偿保证金（）。，、"
TEXT = st.text(alphabet=CHINESE + "ABCxyz0123456789 -_/,\t\n=", max_size=20)
CODE = st.text(alphabet="0123456789.ABC", min_size=1, max_size=10)
AMOUNT = st.integers(min_value=1, max_value=10**12).map(lambda fen: D(fen).scaleb(-2))


@st.composite
def lines(draw, amount):
    aux = {}
    for code_field, name_field in AUXILIARIES:
        if draw(st.booleans()):
            aux[code_field], aux[name_field] = draw(CODE), draw(TEXT)
    summary, code, name = draw(TEXT), draw(CODE), draw(TEXT)
    debit = ExportLine(summary, code, name, debit=amount, **aux)
    credit = ExportLine(draw(TEXT), draw(CODE), draw(TEXT), credit=amount)
    return [debit, credit]


@st.composite
def vouchers(draw):
    out = []
    for number in range(1, draw(st.integers(min_value=1, max_value=4)) + 1):
        day = draw(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)))
        entries = [line for amount in draw(st.lists(AMOUNT, min_size=1, max_size=3)) for line in
                   draw(lines(amount))]
        entries = draw(st.permutations(entries))
        out.append(ExportVoucher(day, period_of(day), draw(st.sampled_from("记收付转")), number, draw(TEXT),
                                 draw(TEXT), tuple(entries), draw(st.integers(min_value=0, max_value=999))))
    return out


ROUND_TRIP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ROUND_TRIP
@given(vouchers())
def test_u8_text_round_trips_in_gbk(items):
    assert yonyou.parse_text(yonyou.to_text(items)) == [yonyou.carried(v) for v in items]


@ROUND_TRIP
@given(vouchers())
def test_u8_text_round_trips_tab_separated_in_utf8(items):
    data = yonyou.to_text(items, encoding="utf-8", delimiter="\t")
    assert yonyou.parse_text(data, encoding="utf-8", delimiter="\t") == [yonyou.carried(v, "\t") for v in items]


@ROUND_TRIP
@given(vouchers())
def test_u8_xlsx_round_trips(items):
    assert yonyou.parse_xlsx(yonyou.to_xlsx(items)) == [yonyou.carried(v, None) for v in items]


@ROUND_TRIP
@given(vouchers())
def test_kingdee_cloud_workbook_round_trips(items):
    assert kingdee.parse_cloud_xlsx(kingdee.to_cloud_xlsx(items, BOOK), BOOK) == [
        kingdee.carried_cloud(v, BOOK) for v in items]


@ROUND_TRIP
@given(vouchers())
def test_kingdee_standard_text_round_trips(items):
    assert kingdee.parse_standard_text(kingdee.to_standard_text(items)) == [kingdee.carried_standard(v)
                                                                            for v in items]


def sample(lines_count: int = 2) -> ExportVoucher:
    entries = [ExportLine("收到甲公司担保费", "1002", "银行存款", debit=D("10000.00"), bank_code="B001",
                          bank_name="中国工商银行"),
               ExportLine("收到甲公司担保费", "6031", "担保费收入", credit=D("6000.00"), customer_code="C0001",
                          customer_name="甲公司"),
               ExportLine("收到甲公司担保费", "6031", "担保费收入", credit=D("4000.00"), customer_code="C0002",
                          customer_name="乙公司")]
    if lines_count == 2:
        entries = [entries[0], dataclasses.replace(entries[1], credit=D("10000.00"))]
    return ExportVoucher(dt.date(2026, 1, 15), "2026-01", "记", 7, "收到甲公司担保费", "孙丽", tuple(entries), 1)


def test_u8_text_lines_have_one_non_zero_side_with_two_decimals_and_gbk_chinese():
    data = yonyou.to_text([sample(3)])
    assert "收到甲公司担保费".encode("gbk") in data and b"\r\n" in data
    rows = [line.split(",") for line in data.decode("gbk").splitlines()]
    assert len(rows) == 3
    for row in rows:
        debit, credit = row[yonyou.COLUMNS.index("借方金额")], row[yonyou.COLUMNS.index("贷方金额")]
        assert re.fullmatch(r"\d+\.\d\d", debit) and re.fullmatch(r"\d+\.\d\d", credit)
        assert (D(debit) != 0) != (D(credit) != 0)
        assert row[:4] == ["2026-01-15", "记", "7", "1"]


def test_kingdee_standard_lines_have_one_side_and_the_matching_direction():
    header, *rows = [line.split("\t") for line in kingdee.to_standard_text([sample(3)]).decode("gbk").splitlines()]
    at = {name: index for index, name in enumerate(header)}
    assert [row[at["FENTRYID"]] for row in rows] == ["0", "1", "2"]
    assert [(row[at["FDC"]], row[at["FDEBIT"]], row[at["FCREDIT"]]) for row in rows] == [
        ("1", "10000.00", "0.00"), ("0", "0.00", "6000.00"), ("0", "0.00", "4000.00")]
    assert [(row[at["FCLSNAME1"]], row[at["FOBJID1"]], row[at["FOBJNAME1"]]) for row in rows] == [
        ("银行", "B001", "中国工商银行"), ("客户", "C0001", "甲公司"), ("客户", "C0002", "乙公司")]


def test_kingdee_cloud_header_only_on_a_vouchers_first_row_and_entries_numbered():
    second = dataclasses.replace(sample(2), number=8)
    table = common.workbook_rows(kingdee.to_cloud_xlsx([sample(3), second], BOOK))
    keys, captions, *rows = table
    assert keys[:3] == ["FBillHead(GL_VOUCHER)", "FAccountBookID", "FDate"] and captions[0] == "*单据头(序号)"
    at = {key: index for index, key in enumerate(keys)}
    head = ["FBillHead(GL_VOUCHER)", "FAccountBookID", "FDate", "FYEAR", "FPERIOD", "FVOUCHERGROUPID",
            "FVOUCHERGROUPID#Name", "FVOUCHERGROUPNO", "FATTACHMENTS", "FACCBOOKORGID"]

    def cell(row, key):
        return row[at[key]] if at[key] < len(row) else None

    assert [cell(rows[0], key) for key in head] == ["1", "001", "2026-01-15", "2026", "1", "PRE001", "记", "7", "1",
                                                    "100"]
    assert [cell(rows[3], key) for key in head] == ["2", "001", "2026-01-15", "2026", "1", "PRE001", "记", "8", "1",
                                                    "100"]
    for row in (rows[1], rows[2], rows[4]):
        assert all(cell(row, key) in (None, "") for key in head)
    assert [cell(row, "FEntity") for row in rows] == ["1", "2", "3", "1", "2"]
    assert [(cell(row, "FDEBIT"), cell(row, "FCREDIT")) for row in rows[:3]] == [(10000, 0), (0, 6000), (0, 4000)]
    assert cell(rows[1], "FDetailID#FFLEX6") == "C0001" and cell(rows[1], "FDetailID#FFLEX6#Name") == "甲公司"
    assert cell(rows[0], "FDetailID#FFLEX14") == "B001"


def test_workbook_amounts_are_formatted_with_two_decimals():
    cases = ((yonyou.to_xlsx([sample(2)]), 2, yonyou.COLUMNS.index("借方金额") + 1),
             (kingdee.to_cloud_xlsx([sample(2)], BOOK), 3, [key for key, _ in BOOK.columns()].index("FDEBIT") + 1))
    for data, first_row, column in cases:
        cell = load_workbook(io.BytesIO(data)).active.cell(first_row, column)
        assert cell.value == 10000 and cell.number_format == "0.00"


def test_text_that_looks_like_a_formula_stays_text():
    voucher = dataclasses.replace(sample(2), lines=tuple(dataclasses.replace(line, summary="=1+1")
                                                          for line in sample(2).lines))
    assert yonyou.parse_xlsx(yonyou.to_xlsx([voucher]))[0].lines[0].summary == "=1+1"


def test_a_delimiter_in_text_becomes_its_full_width_form():
    voucher = dataclasses.replace(sample(2), lines=tuple(dataclasses.replace(line, summary="甲,乙\n丙")
                                                          for line in sample(2).lines))
    assert yonyou.parse_text(yonyou.to_text([voucher]))[0].lines[0].summary == "甲，乙 丙"


def test_a_character_gbk_cannot_write_is_refused_and_gb18030_writes_it():
    voucher = dataclasses.replace(sample(2), maker="𠮷野")
    with pytest.raises(ValidationFailed) as refused:
        yonyou.to_text([voucher])
    assert refused.value.template.startswith("Voucher {voucher}: the character {char} cannot be written")
    assert refused.value.params["char"] == "𠮷"
    assert yonyou.parse_text(yonyou.to_text([voucher], encoding="gb18030"), encoding="gb18030")[0].maker == "𠮷野"


@pytest.mark.parametrize(("change", "template"), [
    ({"period": "2026-02"}, "Voucher {voucher}: its date {date} is not in its period {period}."),
    ({"period": "2026-1"}, "Voucher {voucher}: the period {period} is not of the form YYYY-MM."),
    ({"number": 0}, "Voucher {voucher}: the number must be a whole number of at least 1."),
    ({"word": ""}, "Voucher {voucher} has no voucher word."),
    ({"lines": ()}, "Voucher {voucher} has no lines."),
    ({"attachments": -1}, "Voucher {voucher}: the number of attachments cannot be negative."),
])
def test_vouchers_no_package_would_import_are_refused(change, template):
    with pytest.raises(ValidationFailed) as refused:
        check_voucher(dataclasses.replace(sample(2), **change))
    assert refused.value.template == template


@pytest.mark.parametrize(("debit", "credit", "template"), [
    (D("1.00"), D("1.00"), "Voucher {voucher}, line {line}: exactly one of debit and credit must be non-zero."),
    (D("0.00"), D("0.00"), "Voucher {voucher}, line {line}: exactly one of debit and credit must be non-zero."),
    (D("1.005"), D("0.00"), "Voucher {voucher}, line {line}: amounts must be zero or more yuan with at most two "
                            "decimal places."),
    (D("-1.00"), D("0.00"), "Voucher {voucher}, line {line}: amounts must be zero or more yuan with at most two "
                            "decimal places."),
    (D("9999.99"), D("0.00"), "Voucher {voucher} does not balance: debits {debit} yuan, credits {credit} yuan."),
])
def test_lines_with_both_or_no_side_or_unbalanced_are_refused(debit, credit, template):
    voucher = sample(2)
    bad = dataclasses.replace(voucher, lines=(dataclasses.replace(voucher.lines[0], debit=debit, credit=credit),
                                              voucher.lines[1]))
    with pytest.raises(ValidationFailed) as refused:
        yonyou.to_text([bad])
    assert refused.value.template == template


def test_u8_parser_refuses_a_voucher_whose_lines_are_apart_and_a_bad_amount():
    first, second = sample(2), dataclasses.replace(sample(2), number=8)
    lines = yonyou.to_text([first, second]).decode("gbk").splitlines()
    apart = "\r\n".join([lines[0], lines[2], lines[1], lines[3]]).encode("gbk")
    with pytest.raises(ValidationFailed) as refused:
        yonyou.parse_text(apart)
    assert refused.value.template == "Row {row}: the lines of one voucher are not together." and \
        refused.value.params == {"row": 3}
    with pytest.raises(ValidationFailed) as refused:
        yonyou.parse_text(lines[0].replace("10000.00", "10,000.00").encode("gbk"))
    assert refused.value.template == "Row {row}: expected {expected} columns, found {found}."
    with pytest.raises(ValidationFailed) as refused:
        yonyou.parse_text(lines[0].replace("10000.00", "1O000.00").encode("gbk"))
    assert refused.value.template == "Row {row}: {value} is not an amount."


def test_kingdee_cloud_refuses_a_word_without_code_and_a_dimension_without_column():
    with pytest.raises(ValidationFailed) as refused:
        kingdee.to_cloud_xlsx([sample(2)], kingdee.CloudBook("001", "100", word_codes={"收": "PRE002"}))
    assert refused.value.params["word"] == "记"
    no_bank = kingdee.CloudBook("001", "100", dimensions={k: v for k, v in kingdee.CLOUD_DIMENSIONS.items()
                                                          if k != "bank"})
    with pytest.raises(ValidationFailed) as refused:
        kingdee.to_cloud_xlsx([sample(2)], no_bank)
    assert refused.value.params == {"voucher": "记-0007 (2026-01)", "line": 1, "dimension": "bank"}


def test_kingdee_cloud_parser_refuses_entries_out_of_order():
    table = kingdee.cloud_rows([sample(3)], BOOK)
    entity = table[0].index("FEntity")
    table[3][entity] = "5"
    data = common.workbook_bytes(kingdee.CLOUD_SHEET_TITLE, table)
    with pytest.raises(ValidationFailed) as refused:
        kingdee.parse_cloud_xlsx(data, BOOK)
    assert refused.value.params == {"row": 4}  # the third entry, numbered 5
