"""Minutes (会议纪要) of a review committee meeting as a .docx (python-docx): the meeting, the members present, and
per project its number, customer, amount, each member's vote and comment, recusals, the resolution and its
conditions with each one's outcome as it stands (未落实, 已落实 with the evidence note, 已豁免 with the reason).
Exported minutes are attached to the meeting (entity ``guarantee:meeting``)."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Mapping

from sqlalchemy.orm import Session

from surety.core.attachments import service as attachments
from surety.core.attachments.models import Attachment
from surety.core.audit.log import audit
from surety.core.context import Actor
from surety.core.inputs import beijing_date
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
from surety.plugins.guarantee.project import conditions as cond
from surety.plugins.guarantee.templates import wording
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


def _date(moment: dt.datetime | None) -> str:
    return wording.cn_date(beijing_date(moment)) if moment is not None else ""


def outcome(row: cond.GuaranteeApprovalCondition) -> str:
    """A condition's outcome in words: 未落实; 已落实（date）：the evidence note; 已豁免（date）：the reason."""
    if row.status == cond.MET:
        return wording.join([f"已落实（{_date(row.met_at)}）", row.evidence_note], "：")
    if row.status == cond.WAIVED:
        return wording.join([f"已豁免（{_date(row.waived_at)}）", row.waive_reason], "：")
    return "未落实"


def condition_values(rows: list[cond.GuaranteeApprovalCondition]) -> tuple[list[dict], str]:
    """Each condition (text, kind_name, status_name, outcome) and the outcome counted (共2项：已落实1项，已豁免1项)."""
    items = [{"text": r.text, "kind_name": cond.KINDS.get(r.kind, "其他"),
              "status_name": cond.STATUSES.get(r.status, "未落实"), "outcome": outcome(r)} for r in rows]
    if not rows:
        return items, "无批复条件"
    counts = [f"{cond.STATUSES[s]}{n}项" for s in (cond.MET, cond.WAIVED, cond.OPEN)
              if (n := sum(1 for r in rows if r.status == s))]
    return items, f"共{len(rows)}项：" + "，".join(counts)


def _conditions_lines(item: AgendaItem, tracked: list[cond.GuaranteeApprovalCondition]) -> list[str]:
    """The item's conditions: the tracked ones of its resolution with their outcome, else the resolution's texts."""
    mine = [c for c in tracked if item.step_run_id is None or c.step_run_id in (None, item.step_run_id)]
    if mine:
        return ["附加条件："] + [f"（{n}）{c.text}——{outcome(c)}" for n, c in enumerate(mine, start=1)]
    return ["附加条件：" + ("；".join(item.conditions) if item.conditions else "无")]


def minutes_document(view: MeetingView,
                     tracked: Mapping[uuid.UUID, list[cond.GuaranteeApprovalCondition]] | None = None) -> bytes:
    """The minutes of ``view`` as .docx bytes; ``tracked``: each project's tracked conditions
    (conditions.conditions_by_project), printed with their outcome."""
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
        for line in _conditions_lines(item, list((tracked or {}).get(item.project_id) or ())):
            doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def export_minutes(session: Session, actor: Actor, meeting_id) -> tuple[Attachment, bytes]:
    """Write the meeting's minutes as they stand and attach them to the meeting (meeting:manage); the attachment
    and the bytes. The meeting keeps the latest export (``minutes_attachment_id``)."""
    meeting = get_meeting(session, actor, meeting_id, act="manage", lock=True)
    view = meeting_view(session, actor, meeting.id)
    data = minutes_document(view, cond.conditions_by_project(session, [i.project_id for i in view.items]))
    stored = attachments.upload(session, actor, ENTITY, str(meeting.id),
                                f"{meeting.meeting_date.isoformat()} 审保会会议纪要.docx", data)
    meeting.minutes_attachment_id = stored.id
    session.flush()
    audit(session, "guarantee.meeting.minutes_exported", entity_type=ENTITY, entity_id=meeting.id, actor=actor,
          after={"attachment_id": str(stored.id), "projects": len(view.items),
                 "decided": sum(1 for i in view.items if i.status == ITEM_DECIDED)})
    return stored, data
