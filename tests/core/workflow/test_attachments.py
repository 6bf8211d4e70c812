"""Files on an instance: uploaded with entity ``workflow:instance`` by those who may see the instance (participants
and monitors), then cited by actions and comments; deleted or foreign files cannot be cited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surety.core.attachments import service as attachments
from surety.core.attachments.samples import pdf_bytes, png_bytes
from surety.core.context import acting
from surety.core.errors import NotFound, PermissionDenied
from surety.core.workflow import actions
from surety.core.workflow.files import ENTITY_TYPE
from surety.core.workflow.models import WorkflowEvent

REVIEW = {
    "key": "test.review", "name": "Review", "subject_type": "test:thing", "start": "review",
    "steps": [
        {"key": "review", "name": "Review", "kind": "task", "assignee": {"role": "risk_officer"},
         "transitions": [{"to": "ok"}]},
        {"key": "ok", "name": "OK", "kind": "end", "result": "approved"},
    ],
}


def upload(org, username, instance_id, name="report.pdf", data=None):
    with org.session() as s, acting(org.actor(username)):
        return attachments.upload(s, org.actor(username), ENTITY_TYPE, str(instance_id), name,
                                  data or pdf_bytes()).id


def test_participants_attach_files_and_cite_them_in_actions(org):
    org.publish(REVIEW)
    iid = org.start("alice", "test.review", "T-1")
    memo = upload(org, "alice", iid, "memo.pdf")
    photo = upload(org, "bob", iid, "site.png", png_bytes())  # a candidate of the open task
    with org.session() as s, acting(org.actor("bob")):
        actions.comment_on(s, org.actor("bob"), iid, "see the photo", attachment_ids=[photo])
    assert org.act("bob", iid, "approve", comment="fine", attachment_ids=[memo, photo]) == ("approved", "ok")
    with org.session() as s:
        events = {e.action: e for e in s.scalars(select(WorkflowEvent).where(WorkflowEvent.instance_id == iid))}
        assert events["comment"].details == {"attachments": [str(photo)]}
        assert events["approve"].details["attachments"] == [str(memo), str(photo)]
        # A monitor (department head) may see the files of any instance.
        listed = attachments.list_for(s, org.actor("carol"), ENTITY_TYPE, str(iid))
        assert sorted(a.filename for a in listed) == ["memo.pdf", "site.png"]


def test_outsiders_cannot_attach_list_or_comment(org):
    org.publish(REVIEW)
    iid = org.start("alice", "test.review", "T-2")
    upload(org, "alice", iid)
    with org.session() as s:
        with pytest.raises(NotFound, match="No such workflow instance"):
            attachments.upload(s, org.actor("mem1"), ENTITY_TYPE, str(iid), "x.pdf", pdf_bytes())
        with pytest.raises(NotFound, match="No such workflow instance"):
            attachments.list_for(s, org.actor("mem1"), ENTITY_TYPE, str(iid))
        with pytest.raises(NotFound):
            attachments.upload(s, org.actor("alice"), ENTITY_TYPE, "not-a-uuid", "x.pdf", pdf_bytes())
    with org.session() as s, pytest.raises(PermissionDenied):
        actions.comment_on(s, org.actor("mem1"), iid, "drive-by comment")


def test_deleted_or_foreign_files_cannot_be_cited(org):
    org.publish(REVIEW)
    iid = org.start("alice", "test.review", "T-3")
    other = org.start("alice", "test.review", "T-4")
    gone = upload(org, "alice", iid, "old.pdf")
    foreign = upload(org, "alice", other, "other.pdf")
    with org.session() as s, acting(org.actor("admin")):
        attachments.delete(s, org.actor("admin"), gone)
    for cited in (gone, foreign):
        with pytest.raises(NotFound, match="not one of this instance's files"):
            org.act("bob", iid, "approve", attachment_ids=[cited])
    assert org.instance(iid).status == "running"  # nothing half-done
