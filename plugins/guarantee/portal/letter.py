"""The guarantee letter (担保函) of an effective or released guarantee, as a PDF.

:func:`letter_data` gathers what the letter says: the guarantor (its legal particulars, settings.legal_particulars),
number, beneficiary, debtor or applicant, guaranteed amount in figures and in capital numerals, the covered
components (保证范围, compensation/claims.py) capped at that amount, the guarantee period (templates/wording.py, the
same words as the guarantee contract), issue date. A financing guarantee is addressed to the bank and names the loan
contract and its term; a non-financing one (a 保函) is addressed to its beneficiary and names the underlying
contract, the effective and expiry dates (保函有效期至...) and the claim conditions. :func:`render_pdf` lays it out
with reportlab and embeds a TrueType CJK font shipped in the package (fonts/: a GB 2312 subset of Droid Sans
Fallback, Apache License 2.0, made by tools/subset_cjk_font.py), so the letter reads the same on a machine without
Chinese fonts. :func:`guarantee_letter` is the staff download (guarantee:project:read and the project in the data
scope); the portal download is ``portal.portal_letter``. Both go through :func:`issue`, which audits
``guarantee.letter.downloaded``.

The letter is reproducible: everything in it comes from the project (the issue date is the date the guarantee took
effect), and the PDF is written in reportlab's invariant mode, so the same project gives the same bytes (and
SHA-256) every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.context import Actor
from surety.core.db.types import to_money
from surety.core.errors import Conflict
from surety.core.ports import customers as door
from surety.plugins.guarantee.compensation import claims
from surety.plugins.guarantee.project.models import (
    CATEGORY_FINANCING,
    STATUS_EFFECTIVE,
    STATUS_RELEASED,
    GuaranteeBank,
    GuaranteeProduct,
    GuaranteeProject,
)
from surety.plugins.guarantee.project.projects import get_project
from surety.plugins.guarantee.project.words import project_status
from surety.plugins.guarantee.settings import legal_particulars
from surety.plugins.guarantee.templates import wording
from surety.plugins.guarantee.templates.numerals import amount_in_words

ENTITY = "guarantee:project"
CONTENT_TYPE = "application/pdf"
#: Statuses whose projects have a letter: the guarantee took effect (and may since have been released).
LETTER_STATUSES = (STATUS_EFFECTIVE, STATUS_RELEASED)
#: The embedded CJK font: its registered name and the TrueType file shipped in the package.
FONT = "SuretyCJK"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "DroidSansFallback-GB2312.ttf"
#: ASCII values (numbers, amounts) are set in a base-14 font: they stay legible text in the content stream.
LATIN = "Helvetica"
#: A character neither font has (beyond GB 2312 and WinAnsi): reportlab's built-in CID font, not embedded.
FALLBACK = "STSong-Light"

METHOD_TEXT = "连带责任保证。"
#: The claim conditions of a non-financing letter (索赔条件).
CLAIM_TEXT = ("受益人应在保函有效期内以书面形式向本公司提出索赔，并附申请人未履行上述合同义务的书面说明及相关证明文件；"
              "本公司收到符合本保函约定的索赔文件后，在担保金额内承担保证责任。保函有效期届满后提出的索赔，本公司不再承担责任。")


def scope_sentence(components_text: str, *, financing: bool) -> str:
    """The letter's 保证范围: the covered components, capped at the guaranteed amount."""
    where = "借款合同项下的" if financing else "申请人在上述合同项下应向受益人承担的"
    return f"{where}{components_text}，以上述担保金额为限。"


class LetterNotAvailable(Conflict):
    """A letter is issued for an effective (or released) guarantee only."""

    code = "GUARANTEE_LETTER_NOT_AVAILABLE"


@dataclass(frozen=True)
class LetterData:
    company_name: str
    letter_no: str
    bank_name: str
    debtor_name: str
    amount: Decimal
    amount_words: str
    loan_contract_no: str
    loan_start: dt.date | None
    loan_end: dt.date | None
    scope_text: str
    method_text: str
    period_text: str
    issue_date: dt.date | None
    financing: bool = True
    beneficiary_name: str = ""
    underlying_contract: str = ""
    effective_date: dt.date | None = None
    expiry_date: dt.date | None = None
    claim_text: str = ""
    company_address: str = ""
    legal_representative: str = ""
    seal_text: str = ""


@dataclass(frozen=True)
class LetterFile:
    filename: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)


def cn_date(value: dt.date | None) -> str:
    """``2026年3月1日`` (empty for None)."""
    return wording.cn_date(value)


def figures(value: Decimal) -> str:
    """``1,234,567.89``."""
    return wording.figures(value)


def guaranteed_amount(project: GuaranteeProject) -> Decimal:
    """What the letter guarantees: the amount the guarantee took effect for (the loan the bank confirmed, or the
    sum of an issued 保函), else the approved amount."""
    return to_money(project.loan_amount if project.loan_amount is not None else project.amount)


def letter_data(session: Session, project: GuaranteeProject) -> LetterData:
    """What the letter of ``project`` says (no permission check: callers check). LetterNotAvailable unless the
    guarantee is effective or released."""

    if project.status not in LETTER_STATUSES or not project.project_no:
        raise LetterNotAvailable("A guarantee letter is issued once the guarantee is effective; this project is "
                                 "{status}.", field="project_id", status=project_status(project.status))
    guarantor = legal_particulars(session)
    bank = (session.scalar(select(GuaranteeBank).where(GuaranteeBank.id == project.bank_id))
            if project.bank_id else None)
    category = session.scalar(select(GuaranteeProduct.category).where(GuaranteeProduct.id == project.product_id))
    financing = (category or CATEGORY_FINANCING) == CATEGORY_FINANCING
    amount = guaranteed_amount(project)
    components = claims.scope_text(claims.covered_components(session, project))
    return LetterData(
        company_name=guarantor.name, letter_no=getattr(project, "letter_no", None) or project.project_no,
        bank_name=bank.name if bank else "",
        debtor_name=door.names(session, [project.customer_id]).get(project.customer_id, ""),
        amount=amount, amount_words=amount_in_words(amount), loan_contract_no=project.loan_contract_no or "",
        loan_start=project.loan_start_date, loan_end=project.loan_end_date,
        scope_text=scope_sentence(components, financing=financing), method_text=METHOD_TEXT,
        period_text=wording.period_text(financing=financing, expiry=project.expiry_date),
        issue_date=project.effective_date, financing=financing,
        beneficiary_name=(bank.name if bank else "") if financing else (project.beneficiary_name or ""),
        underlying_contract=project.underlying_contract or "", effective_date=project.effective_date,
        expiry_date=project.expiry_date, claim_text="" if financing else CLAIM_TEXT,
        company_address=guarantor.address, legal_representative=guarantor.representative,
        seal_text=guarantor.seal_text)


def _glyphs() -> frozenset[int]:
    """The code points the embedded CJK font draws (Droid Sans Fallback has CJK only: no ASCII, no curly quotes)."""
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415 - heavy library, loaded when a file is made

    _register_font()
    return frozenset(pdfmetrics.getFont(FONT).face.charToGlyph)


def _class(char: str, cjk: frozenset[int]) -> str:
    if ord(char) in cjk:
        return FONT
    try:
        char.encode("cp1252")  # what the base-14 font draws (WinAnsi)
        return LATIN
    except UnicodeEncodeError:
        return FALLBACK


def markup(text: str) -> str:
    """``text`` as Paragraph markup: XML-escaped, the characters the embedded CJK font has in it, every other run
    that WinAnsi holds (ASCII digits and letters, curly quotes, ¥) in the base-14 font, so numbers stay plain text in
    the content stream; a character outside both (a hanzi beyond GB 2312, such as 堃, in a name) in reportlab's CID
    font :data:`FALLBACK`, referenced rather than embedded: a letter without such a character references no font
    the reader must have."""
    cjk = _glyphs()
    out: list[str] = []
    runs: list[tuple[str, str]] = []
    for char in text:
        font = _class(char, cjk)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    for font, run in runs:
        if font == FALLBACK:
            _register_fallback()
        out.append(escape(run) if font == FONT else f'<font name="{font}">{escape(run)}</font>')
    return "".join(out)


def _register_fallback() -> None:
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415 - heavy library, loaded when a file is made
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: PLC0415 - heavy library, loaded when a file is made

    if FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415 - heavy library, loaded when a file is made
    from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415 - heavy library, loaded when a file is made

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))


def _body(data: LetterData) -> list[str]:
    """The letter's paragraphs after the address line (plain text)."""
    amount = f"人民币{figures(data.amount)}元（大写：人民币{data.amount_words}）"
    if data.financing:
        period = (f"{cn_date(data.loan_start)}至{cn_date(data.loan_end)}" if data.loan_start and data.loan_end
                  else "以借款合同约定为准")
        return [
            f"鉴于{data.debtor_name}（以下简称“债务人”）与贵行签订了编号为{data.loan_contract_no or '-'}的借款合同，"
            f"借款期限自{period}。应债务人的申请，{data.company_name}（以下简称“本公司”）愿为债务人在上述借款合同"
            "项下的债务向贵行提供保证担保，具体如下：",
            f"一、担保金额：{amount}。",
            f"二、保证范围：{data.scope_text}",
            f"三、保证方式：{data.method_text}",
            f"四、保证期间：{data.period_text}。",
            "五、本担保函自出具之日起生效，本公司在保证期间内承担保证责任。",
        ]
    underlying = data.underlying_contract or "基础合同"
    validity = (f"自{cn_date(data.effective_date)}起至{cn_date(data.expiry_date)}止，保函有效期至"
                f"{cn_date(data.expiry_date)}" if data.effective_date and data.expiry_date else data.period_text)
    return [
        f"鉴于{data.debtor_name}（以下简称“申请人”）与贵方就{underlying}（以下简称“上述合同”）建立了合同关系。"
        f"应申请人的申请，{data.company_name}（以下简称“本公司”）愿就申请人在上述合同项下的义务向贵方出具本保函，"
        "具体如下：",
        f"一、担保金额：{amount}。",
        f"二、保证范围：{data.scope_text}",
        f"三、保证方式：{data.method_text}",
        f"四、保函有效期：{validity}。",
        f"五、索赔条件：{data.claim_text}",
    ]


def render_pdf(data: LetterData, *, compress: bool = True) -> bytes:
    """The letter as a one-page A4 PDF with its CJK font embedded (``compress=False`` leaves the content streams
    readable, for tests)."""
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT  # noqa: PLC0415 - heavy library, loaded when a file is made
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415 - heavy library, loaded when a file is made
    from reportlab.lib.styles import ParagraphStyle  # noqa: PLC0415 - heavy library, loaded when a file is made
    from reportlab.lib.units import mm  # noqa: PLC0415 - heavy library, loaded when a file is made
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer  # noqa: PLC0415 - heavy library, loaded when a file is made

    _register_font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=22, firstLineIndent=24, wordWrap="CJK")
    plain = ParagraphStyle("plain", parent=body, firstLineIndent=0)
    title = ParagraphStyle("title", parent=plain, fontSize=22, leading=34, alignment=TA_CENTER)
    right = ParagraphStyle("right", parent=plain, alignment=TA_RIGHT)

    if data.financing:
        addressee = data.beneficiary_name or data.bank_name or "贵行"
    else:
        addressee = data.beneficiary_name or "受益人"
    seal = f"（印章：{data.seal_text}）" if data.seal_text else "（盖章）"
    story = [
        Paragraph("担 保 函" if data.financing else "保 函", title), Spacer(1, 4 * mm),
        Paragraph(markup(f"编号：{data.letter_no}"), right), Spacer(1, 4 * mm),
        Paragraph(markup(f"致：{addressee}（受益人）"), plain), Spacer(1, 2 * mm),
        *(Paragraph(markup(text), body) for text in _body(data)),
        Spacer(1, 16 * mm),
        Paragraph(markup(f"担保人：{data.company_name}{seal}"), right), Spacer(1, 2 * mm),
    ]
    if data.legal_representative:
        story += [Paragraph(markup(f"法定代表人：{data.legal_representative}"), right), Spacer(1, 2 * mm)]
    if data.company_address:
        story += [Paragraph(markup(f"住所：{data.company_address}"), right), Spacer(1, 2 * mm)]
    story.append(Paragraph(markup(f"出具日期：{cn_date(data.issue_date)}"), right))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=30 * mm,
                            bottomMargin=25 * mm, title=f"担保函 {data.letter_no}", subject=data.letter_no,
                            author=data.company_name, creator="Surety", invariant=1,
                            pageCompression=1 if compress else 0)
    doc.build(story)
    return out.getvalue()


def issue(session: Session, actor: Actor, project: GuaranteeProject, *, via: str,
          compress: bool = True) -> LetterFile:
    """The letter of ``project`` (the caller checked access), audited as ``guarantee.letter.downloaded``."""
    data = letter_data(session, project)
    pdf = LetterFile(filename=f"担保函 {data.letter_no}.pdf", content_type=CONTENT_TYPE,
                     data=render_pdf(data, compress=compress))
    audit(session, "guarantee.letter.downloaded", entity_type=ENTITY, entity_id=project.id, actor=actor,
          after={"project_no": data.letter_no, "via": via, "size": pdf.size, "sha256": pdf.sha256})
    return pdf


def guarantee_letter(session: Session, actor: Actor, project_id: uuid.UUID, *, compress: bool = True) -> LetterFile:
    """Staff download: needs guarantee:project:read and the project in the actor's data scope (NotFound outside)."""

    return issue(session, actor, get_project(session, actor, project_id), via="staff", compress=compress)
