"""The guarantee letter (担保函) PDF: amounts in capital numerals, what the letter says (read back from the
uncompressed content stream), only for effective or released guarantees, staff within their data scope and the
linked portal user only, every download audited, the same bytes every time."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.errors import NotFound
from surety.core.identity.models import User
from surety.core.testing import TEST_PASSWORD
from surety.core.workflow.engine import business_today
from surety.plugins.customers.testing import actor_for
from surety.plugins.guarantee.portal import letter
from surety.plugins.guarantee.portal import self_service as portal
from surety.plugins.guarantee.project.models import GuaranteeBank, GuaranteeProject
from surety.plugins.guarantee.release import releases as rel
from surety.plugins.guarantee.templates.numerals import amount_in_words
from surety.plugins.guarantee.testing import make_effective, make_project

TODAY = business_today()
START = dt.date(2025, 3, 1)
END = TODAY + dt.timedelta(days=200)


@pytest.mark.parametrize("amount, words", [
    ("0.05", "伍分"), ("10", "壹拾元整"), ("1000000.00", "壹佰万元整"),
    ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"), ("100000000", "壹亿元整"),
    ("2800000.00", "贰佰捌拾万元整"), ("100010000.10", "壹亿零壹万元壹角"),
])
def test_amounts_in_capital_numerals(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def text_of(pdf: bytes) -> str:
    """The text of the PDF as a reader extracts it (pypdf, through the fonts' ToUnicode maps), blanks and line
    breaks removed (the letter wraps Chinese anywhere)."""
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def _squeeze(text: str) -> str:
    return "".join(text.split())


def effective(gw, customer="corp", **kw):
    with gw.acting("fin") as (s, a):
        kind = "individual" if customer == "person" else "corporate"
        p = make_effective(s, a, gw.customers[customer], customer_kind=kind, start=START, end=END, **kw)
        bank = s.scalar(select(GuaranteeBank.name).where(GuaranteeBank.id == p.bank_id))
        return p.id, p.project_no, bank


def downloads(gw):
    with gw.session() as s:
        return [r.after for r in s.scalars(select(AuditRecord).where(
            AuditRecord.action == "guarantee.letter.downloaded").order_by(AuditRecord.seq))]


def test_the_letter_says_what_the_guarantee_is(gw):
    pid, number, bank = effective(gw, loan="1234567.89")
    with gw.acting("fin") as (s, a):
        made = letter.guarantee_letter(s, a, pid, compress=False)
    assert made.data.startswith(b"%PDF-") and made.content_type == "application/pdf"
    assert made.filename == f"担保函 {number}.pdf"
    assert number.encode() in made.data  # the number is plain text in the content stream
    text = text_of(made.data)
    for expected in (f"编号：{number}", f"致：{bank}（受益人）", "鉴于华夏建材有限公司（以下简称“债务人”）",
                     "编号为JK-1的借款合同", f"借款期限自2025年3月1日至{END.year}年{END.month}月{END.day}日",
                     f"{gw.tenant.name}（以下简称“本公司”）",
                     "人民币1,234,567.89元（大写：人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分）",
                     "保证范围：借款合同项下的本金、利息、罚息，以上述担保金额为限。", "保证方式：连带责任保证",
                     "保证期间：自主合同约定的债务履行期限届满之日起三年。",
                     f"担保人：{gw.tenant.name}（盖章）", "出具日期：2025年3月1日"):
        assert _squeeze(expected) in text, expected
    assert downloads(gw) == [{"project_no": number, "via": "staff", "size": made.size, "sha256": made.sha256}]


def test_the_letter_is_compressed_by_default_and_reproducible(gw):
    pid, number, _ = effective(gw)
    with gw.acting("fin") as (s, a):
        first = letter.guarantee_letter(s, a, pid)
    with gw.acting("boss") as (s, a):
        again = letter.guarantee_letter(s, a, pid)
    assert first.data.startswith(b"%PDF-") and b"/FlateDecode" in first.data
    assert b"(" + number.encode() + b") Tj" not in first.data  # content streams are compressed
    assert first.data == again.data and first.sha256 == again.sha256
    assert len(downloads(gw)) == 2


def test_only_effective_or_released_guarantees_have_a_letter(gw):
    pid, _, _ = effective(gw, loan="2000000", amount="3000000")
    with gw.acting("fin") as (s, a):
        draft = make_project(s, a, gw.customers["corp"], status="approved").id
        with pytest.raises(letter.LetterNotAvailable) as err:
            letter.guarantee_letter(s, a, draft)
        assert (err.value.code, err.value.field) == ("GUARANTEE_LETTER_NOT_AVAILABLE", "project_id")
    with gw.session() as s:  # the term ends: release it in full
        s.scalars(select(GuaranteeProject).where(GuaranteeProject.id == pid)).one().loan_end_date = TODAY
    with gw.acting("fin") as (s, a):
        rel.release(s, a, pid, kind="full")
        text = text_of(letter.guarantee_letter(s, a, pid, compress=False).data)
    # The guaranteed amount is the confirmed loan, not the approved amount.
    assert "人民币2,000,000.00元（大写：人民币贰佰万元整）" in text
    assert downloads(gw)[-1]["via"] == "staff" and len(downloads(gw)) == 1


def test_who_may_download(gw):
    pid, number, _ = effective(gw)
    other, _, _ = effective(gw, customer="person")
    with gw.acting("mgr2") as (s, a):  # own scope: not their project
        with pytest.raises(NotFound):
            letter.guarantee_letter(s, a, pid)
    with gw.acting("mgr") as (s, a):
        link = portal.create_portal_user(s, a, gw.customers["corp"], username="acme", password=TEST_PASSWORD,
                                         display_name="华夏 财务")
        gw.actors["acme"] = actor_for(s.scalars(select(User).where(User.id == link.user_id)).one())
    with gw.acting("acme") as (s, a):
        made = portal.portal_letter(s, a, pid, compress=False)
        assert made.data.startswith(b"%PDF") and number.encode() in made.data
        for pid_other in (other, uuid.uuid4()):
            with pytest.raises(NotFound):
                portal.portal_letter(s, a, pid_other)
    assert [d["via"] for d in downloads(gw)] == ["portal"]


def test_the_letter_embeds_its_chinese_font(gw):
    """The CJK font is a TrueType file embedded in the PDF (FontFile2), not a reference to a font the reader must
    have (STSong-Light): the text still extracts, and digits and quotes come from the base-14 font."""
    pid, number, _ = effective(gw)
    with gw.acting("fin") as (s, a):
        data = letter.guarantee_letter(s, a, pid).data
    assert b"/FontFile2" in data and b"STSong" not in data
    reader = PdfReader(io.BytesIO(data))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = [f.get_object() for f in fonts.values()]
    cjk = [f for f in embedded if f.get("/Subtype") == "/TrueType"]
    assert cjk and all("/FontFile2" in f["/FontDescriptor"] for f in cjk)
    assert all(f["/BaseFont"].endswith("+DroidSansFallback") for f in cjk)  # a subset of the shipped font
    text = text_of(data)
    assert f"编号：{number}" in text and "（以下简称“债务人”）" in text
    assert letter.FONT_FILE.is_file() and (letter.FONT_FILE.parent / "LICENSE-Apache-2.0.txt").is_file()


def test_markup_sets_what_the_cjk_font_lacks_in_the_latin_font():
    assert letter.markup("编号：DB-1") == '编号：<font name="Helvetica">DB-1</font>'
    assert letter.markup("“甲”&") == ('<font name="Helvetica">“</font>甲<font name="Helvetica">”&amp;</font>')
    # 堃 is beyond GB 2312 (not in the embedded subset) and beyond WinAnsi: the CID font draws it.
    assert letter.markup("王堃2") == '王<font name="STSong-Light">堃</font><font name="Helvetica">2</font>'


def test_a_name_beyond_gb2312_still_prints():
    data = letter.render_pdf(letter.LetterData(
        company_name="某担保公司", letter_no="DB-1", bank_name="某银行", debtor_name="王堃", amount=Decimal("1.00"),
        amount_words="壹元整", loan_contract_no="JK-1", loan_start=None, loan_end=None, scope_text="本金。",
        method_text="连带责任保证。", period_text="三年", issue_date=None))
    assert b"/FontFile2" in data and b"STSong-Light" in data
    assert "鉴于王堃（以下简称“债务人”）" in text_of(data)
