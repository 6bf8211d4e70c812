"""The minutes document itself (python-docx), read back: meeting data, members, per project the votes, recusals,
resolution and conditions, and the wording of items not settled yet. (Export and storage: test_meetings.py.)"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

from docx import Document

from surety.plugins.guarantee.documents.meetings import AgendaItem, MeetingView, Vote
from surety.plugins.guarantee.documents.minutes import minutes_document
from surety.plugins.guarantee.documents.models import GuaranteeMeeting


def vote(name, choice, comment=None):
    return Vote(member_id=uuid.uuid4(), member_name=name, vote=choice, comment=comment, task_id=uuid.uuid4(),
                voted_at=None)


def test_minutes_read_back():
    meeting = GuaranteeMeeting(title="第3次审保会", meeting_date=dt.date(2026, 5, 8), place="会议室A",
                               quorum_note="3人", chair_id=uuid.uuid4())
    decided = AgendaItem(project_id=uuid.uuid4(), project_no="DB-2026-00007", customer_name="华夏建材有限公司",
                         amount=Decimal("1234567.89"), status="decided", result="approved",
                         votes=[vote("甲", "approve"), vote("乙", "approve"), vote("丙", "recuse", "亲属关系")],
                         approvals=2, recusals=1, decided_on=dt.date(2026, 5, 8))
    voting = AgendaItem(project_id=uuid.uuid4(), project_no="DB-2026-00008", customer_name="张三",
                        amount=Decimal("5000000.00"), status="voting", result=None,
                        votes=[vote("甲", None)])
    short = AgendaItem(project_id=uuid.uuid4(), project_no="DB-2026-00009", customer_name="李四",
                       amount=Decimal("100.00"), status="no_quorum", result=None)
    data = minutes_document(MeetingView(meeting=meeting, members=[(uuid.uuid4(), n) for n in "甲乙丙"],
                                        chair_name="甲", items=[decided, voting, short]))
    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    assert lines[:6] == ["第3次审保会 会议纪要", "会议日期：2026-05-08", "会议地点：会议室A", "主持人（主任委员）：甲",
                         "法定人数：3人", "出席委员：甲、乙、丙"]
    assert lines[6:12] == ["议题1：项目 DB-2026-00007", "客户：华夏建材有限公司",
                           "担保金额：1,234,567.89元（壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分）", "回避：丙",
                           "决议：通过（同意2票，不同意0票，回避1票）", "附加条件：无"]
    assert "决议：表决中" in lines and "决议：回避后不足法定人数，待重新召集" in lines
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    assert tables[0] == [["委员", "表决意见", "意见说明"], ["甲", "同意", ""], ["乙", "同意", ""], ["丙", "回避", "亲属关系"]]
    assert tables[1][1] == ["甲", "未表决", ""]
