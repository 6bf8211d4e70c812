"""Minutes (会议纪要) of a review committee meeting as a .docx (python-docx): the meeting, the members present, and
per project its number, customer, amount, each member's vote and comment, recusals, the resolution and its
conditions. Exported minutes are attached to the meeting (entity ``guarantee:meeting``)."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from surety.core.attachments import service as attachments
from surety.core.attachments.models import Attachment
from surety.core.audit.log import audit
from surety.core.context import Actor
from surety.plugins.guarantee.documents.meetings import (
    ENTITY,
    ITEM_DECIDED,
    ITEM_NO_QUORUM,
    ITEM_SCHEDULED,
    AgendaItem,
    MeetingView,
    get_meeting,
    meeting_view,
)
from surety.plugins.guarantee.templates.numerals import amount_in_words

VOTE_NAMES = {"approve": "同意", "reject": "不同意", "approve_with_conditions": "有条件同意", "recuse": "回避", None: "未表决"}
RESULT_NAMES = {"approved": "通过", "approved_with_conditions": "有条件通过", "rejected": "否决"}
STATUS_NAMES = {ITEM_SCHEDULED: "尚未上会", ITEM_NO_QUORUM: "回避后不足法定人数，待重新召集", ITEM_DECIDED: "已表决"}


def _resolution(item: AgendaItem) -> str:
    if item.status != ITEM_DECIDED:
        return STATUS_NAMES.get(item.status, "表决中")
    text = (f"{RESULT_NAMES.get(item.result, item.result)}（同意{item.approvals}票，不同意{item.rejections}票，"
            f"回避{item.recusals}票）")
    return text + ("；主任委员行使否决权" if item.vetoed else "")


def minutes_document(view: MeetingView) -> bytes:
    """The minutes of ``view`` as .docx bytes."""
    from docx import Document  # noqa: PLC0415 - heavy library, loaded when a file is made

    m = view.meeting
    doc = Document()
    doc.add_heading(f"{m.title} 会议纪要", level=1)
    for label, value in (("会议日期", m.meeting_date.isoformat()), ("会议地点", m.place), ("主持人（主任委员）", view.chair_name),
                         ("法定人数", m.quorum_note)):
        doc.add_paragraph(f"{label}：{value}")
    doc.add_paragraph("出席委员：" + "、".join(name for _, name in view.members))
    for n, item in enumerate(view.items, start=1):
        doc.add_heading(f"议题{n}：项目 {item.project_no}", level=2)
        doc.add_paragraph(f"客户：{item.customer_name}")
        doc.add_paragraph(f"担保金额：{item.amount:,.2f}元（{amount_in_words(item.amount)}）")
        table = doc.add_table(rows=1, cols=3)
        for cell, text in zip(table.rows[0].cells, ("委员", "表决意见", "意见说明")):
            cell.text = text
        for vote in item.votes:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = vote.member_name, VOTE_NAMES.get(vote.vote, vote.vote), \
                vote.comment or ""
        recused = "、".join(v.member_name for v in item.recused)
        doc.add_paragraph(f"回避：{recused or '无'}")
        doc.add_paragraph(f"决议：{_resolution(item)}")
        doc.add_paragraph("附加条件：" + ("；".join(item.conditions) if item.conditions else "无"))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def export_minutes(session: Session, actor: Actor, meeting_id) -> tuple[Attachment, bytes]:
    """Write the meeting's minutes as they stand and attach them to the meeting (meeting:manage); the attachment
    and the bytes. The meeting keeps the latest export (``minutes_attachment_id``)."""
    meeting = get_meeting(session, actor, meeting_id, act="manage", lock=True)
    view = meeting_view(session, actor, meeting.id)
    data = minutes_document(view)
    stored = attachments.upload(session, actor, ENTITY, str(meeting.id),
                                f"{meeting.meeting_date.isoformat()} 审保会会议纪要.docx", data)
    meeting.minutes_attachment_id = stored.id
    session.flush()
    audit(session, "guarantee.meeting.minutes_exported", entity_type=ENTITY, entity_id=meeting.id, actor=actor,
          after={"attachment_id": str(stored.id), "projects": len(view.items),
                 "decided": sum(1 for i in view.items if i.status == ITEM_DECIDED)})
    return stored, data
