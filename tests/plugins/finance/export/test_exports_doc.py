"""docs/finance/exports.md shows one sample voucher in every format: each sample on the page is what the exporter
writes for that voucher, byte for byte (text files) or cell for cell (workbooks), so the page cannot drift."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from surety.plugins.finance.export import common, kingdee, yonyou
from surety.plugins.finance.export.model import ExportLine, ExportVoucher

DOC = Path(__file__).resolve().parents[4] / "docs" / "finance" / "exports.md"
#: The page's sample: 收到担保费 10,000.00, Dr 1002 银行存款 (bank B001) / Cr 6031 担保费收入 (customer C0001).
SAMPLE = ExportVoucher(
    dt.date(2026, 1, 15), "2026-01", "记", 7, "收到甲公司担保费", "孙丽",
    (ExportLine("收到甲公司担保费", "1002", "银行存款", debit=Decimal("10000.00"), bank_code="B001",
                bank_name="中国工商银行"),
     ExportLine("收到甲公司担保费", "6031", "担保费收入", credit=Decimal("10000.00"), customer_code="C0001",
                customer_name="甲公司")),
    attachments=1)
BOOK = kingdee.CloudBook("001", "100")


def sheet_text(data: bytes) -> str:
    """A workbook's cells as the page shows them: one line per row, cells separated by tabs, amounts with two
    decimals."""
    rows = common.workbook_rows(data)
    width = len(rows[0])
    lines = []
    for row in rows:
        cells = [common.amount_text(Decimal(repr(c))) if isinstance(c, int | float) else common.text(c) for c in row]
        lines.append("\t".join(cells + [""] * (width - len(cells))))
    return "\n".join(lines)


def rendered() -> dict[str, str]:
    return {
        "u8-text": yonyou.to_text([SAMPLE]).decode("gbk").replace("\r\n", "\n").rstrip("\n"),
        "u8-xlsx": sheet_text(yonyou.to_xlsx([SAMPLE])),
        "kingdee-cloud-xlsx": sheet_text(kingdee.to_cloud_xlsx([SAMPLE], BOOK)),
        "kingdee-standard-text": kingdee.to_standard_text([SAMPLE]).decode("gbk").replace("\r\n", "\n").rstrip("\n"),
    }


def samples() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    return {name: body.rstrip("\n") for name, body in
            re.findall(r"<!-- sample: ([\w-]+) -->\n```text\n(.*?)```", text, flags=re.S)}


@pytest.mark.parametrize("name", ["u8-text", "u8-xlsx", "kingdee-cloud-xlsx", "kingdee-standard-text"])
def test_the_pages_sample_is_the_exporters_output(name):
    assert samples()[name] == rendered()[name]
