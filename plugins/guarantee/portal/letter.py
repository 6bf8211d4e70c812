"""The guarantee letter (担保函) of an effective or released guarantee, as a PDF.

:func:`letter_data` gathers what the letter says (company, number, beneficiary bank, debtor, guaranteed amount in
figures and in capital numerals, loan contract and period, scope, guarantee period, issue date); :func:`render_pdf`
lays it out with reportlab and its built-in CID font ``STSong-Light``, so Chinese renders without shipping font
files (readers substitute a Song typeface). :func:`guarantee_letter` is the staff download (guarantee:project:read
and the project in the data scope); the portal download is ``portal.portal_letter``. Both go through :func:`issue`,
which audits ``guarantee.letter.downloaded``.

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
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.context import Actor
from surety.core.db.session import session_tenant
from surety.core.db.types import to_money
from surety.core.errors import Conflict
from surety.core.ports import customers as door
from surety.plugins.guarantee.project.models import STATUS_EFFECTIVE, STATUS_RELEASED, GuaranteeBank, GuaranteeProject
from surety.plugins.guarantee.project.projects import get_project
from surety.plugins.guarantee.templates.numerals import amount_in_words
from surety.tenants.models import Tenant

ENTITY = "guarantee:project"
CONTENT_TYPE = "application/pdf"
#: Statuses whose projects have a letter: the guarantee took effect (and may since have been released).
LETTER_STATUSES = (STATUS_EFFECTIVE, STATUS_RELEASED)
FONT = "STSong-Light"
#: ASCII values (numbers, amounts) are set in a base-14 font: they stay legible text in the content stream.
LATIN = "Helvetica"

SCOPE_TEXT = ("借款合同项下的借款本金及相应的利息、罚息、复利、违约金、损害赔偿金和实现债权的费用，"
              "以上述担保金额为限。")
METHOD_TEXT = "连带责任保证。"
PERIOD_TEXT = "自借款合同约定的债务履行期限届满之日起三年。"


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
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def figures(value: Decimal) -> str:
    """``1,234,567.89``."""
    return f"{to_money(value):,.2f}"


def guaranteed_amount(project: GuaranteeProject) -> Decimal:
    """What the letter guarantees: the loan the bank confirmed (the in-force amount at effect), else the approved
    amount."""
    return to_money(project.loan_amount if project.loan_amount is not None else project.amount)


def letter_data(session: Session, project: GuaranteeProject) -> LetterData:
    """What the letter of ``project`` says (no permission check: callers check). LetterNotAvailable unless the
    guarantee is effective or released."""

    if project.status not in LETTER_STATUSES or not project.project_no:
        raise LetterNotAvailable(f"A guarantee letter is issued once the guarantee is effective; this project is "
                                 f"{project.status}.", field="project_id", status=project.status)
    tenant = session.get(Tenant, session_tenant(session))
    bank = (session.scalar(select(GuaranteeBank).where(GuaranteeBank.id == project.bank_id))
            if project.bank_id else None)
    amount = guaranteed_amount(project)
    return LetterData(
        company_name=tenant.name if tenant else "", letter_no=project.project_no,
        bank_name=bank.name if bank else "",
        debtor_name=door.names(session, [project.customer_id]).get(project.customer_id, ""),
        amount=amount, amount_words=amount_in_words(amount), loan_contract_no=project.loan_contract_no or "",
        loan_start=project.loan_start_date, loan_end=project.loan_end_date, scope_text=SCOPE_TEXT,
        method_text=METHOD_TEXT, period_text=PERIOD_TEXT, issue_date=project.effective_date)


def _latin(value: str) -> str:
    return f'<font name="{LATIN}">{escape(value)}</font>'


def render_pdf(data: LetterData, *, compress: bool = True) -> bytes:
    """The letter as a one-page A4 PDF (``compress=False`` leaves the content streams readable, for tests)."""
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT  # noqa: PLC0415 - heavy library, loaded when a file is made
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415 - heavy library, loaded when a file is made
    from reportlab.lib.styles import ParagraphStyle  # noqa: PLC0415 - heavy library, loaded when a file is made
    from reportlab.lib.units import mm  # noqa: PLC0415 - heavy library, loaded when a file is made
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415 - heavy library, loaded when a file is made
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: PLC0415 - heavy library, loaded when a file is made
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer  # noqa: PLC0415 - heavy library, loaded when a file is made

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=22, firstLineIndent=24, wordWrap="CJK")
    plain = ParagraphStyle("plain", parent=body, firstLineIndent=0)
    title = ParagraphStyle("title", parent=plain, fontSize=22, leading=34, alignment=TA_CENTER)
    right = ParagraphStyle("right", parent=plain, alignment=TA_RIGHT)

    bank = escape(data.bank_name) or "贵行"
    period = (f"{cn_date(data.loan_start)}至{cn_date(data.loan_end)}" if data.loan_start and data.loan_end
              else "以借款合同约定为准")
    story = [
        Paragraph("担 保 函", title), Spacer(1, 4 * mm),
        Paragraph(f"编号：{_latin(data.letter_no)}", right), Spacer(1, 4 * mm),
        Paragraph(f"致：{bank}（受益人）", plain), Spacer(1, 2 * mm),
        Paragraph(f"鉴于{escape(data.debtor_name)}（以下简称“债务人”）与贵行签订了编号为"
                  f"{_latin(data.loan_contract_no or '-')}的借款合同，借款期限自{period}。应债务人的申请，"
                  f"{escape(data.company_name)}（以下简称“本公司”）愿为债务人在上述借款合同项下的债务向贵行"
                  "提供保证担保，具体如下：", body),
        Paragraph(f"一、担保金额：人民币{_latin(figures(data.amount))}元（大写：人民币{data.amount_words}）。", body),
        Paragraph(f"二、保证范围：{escape(data.scope_text)}", body),
        Paragraph(f"三、保证方式：{escape(data.method_text)}", body),
        Paragraph(f"四、保证期间：{escape(data.period_text)}", body),
        Paragraph("五、本担保函自出具之日起生效，本公司在保证期间内承担保证责任。", body),
        Spacer(1, 16 * mm),
        Paragraph(f"担保人：{escape(data.company_name)}（盖章）", right), Spacer(1, 2 * mm),
        Paragraph(f"出具日期：{cn_date(data.issue_date)}", right),
    ]
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
