"""The GraphQL type of an approval condition (project/conditions.py), shown on the project (origination's
``GuaranteeProject.approvalConditions``) and on the committee resolution (documents' agenda item); the mutations
that record, meet and waive conditions are in documents/graphql.py. Here, in the lowest area, so both can use it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from surety.graphql.nodes import global_id as gid
from surety.plugins.guarantee.project.conditions import KINDS, STATUSES, GuaranteeApprovalCondition


@strawberry.type(name="GuaranteeApprovalCondition",
                 description="A condition the review committee attached to its approval (审保会决议的附加条件), "
                             "tracked open -> met (with evidence) or waived (by the approver, with a reason).")
class ApprovalCondition:
    id: strawberry.ID
    text: str
    kind: str = strawberry.field(description="add_counter_guarantee | add_guarantor | document | other")
    kind_label: str = strawberry.field(description="The kind in zh-CN (追加反担保, 追加保证人, 补充资料, 其他).")
    status: str = strawberry.field(description="open | met | waived")
    status_label: str = strawberry.field(description="The status in zh-CN (未落实, 已落实, 已豁免).")
    source: str = strawberry.field(description="`vote` (a member's conditional vote) or `secretary`.")
    evidence_note: str
    met_at: dt.datetime | None
    waived_at: dt.datetime | None
    waive_reason: str
    created_at: dt.datetime
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, r: GuaranteeApprovalCondition) -> ApprovalCondition:
        return cls(id=gid("GuaranteeApprovalCondition", r.id), text=r.text, kind=r.kind,
                   kind_label=KINDS.get(r.kind, r.kind), status=r.status, status_label=STATUSES.get(r.status, r.status),
                   source=r.source, evidence_note=r.evidence_note, met_at=r.met_at, waived_at=r.waived_at,
                   waive_reason=r.waive_reason, created_at=r.created_at, row=r)

    @strawberry.field(description="The project (GuaranteeProject global id).")
    def project_id(self) -> strawberry.ID:
        return gid("GuaranteeProject", self.row.project_id)

    @strawberry.field(description="The member whose vote stated it (User global id); null when the secretary "
                                  "recorded it.")
    def proposed_by_id(self) -> strawberry.ID | None:
        return gid("User", self.row.proposed_by)

    @strawberry.field(description="The evidence: attachments of the project (Attachment global ids).")
    def evidence_attachment_ids(self) -> list[strawberry.ID]:
        return [gid("Attachment", a) for a in self.row.evidence_attachment_ids or []]

    @strawberry.field(description="Who recorded it met (User global id).")
    def met_by_id(self) -> strawberry.ID | None:
        return gid("User", self.row.met_by)

    @strawberry.field(description="Who waived it (User global id).")
    def waived_by_id(self) -> strawberry.ID | None:
        return gid("User", self.row.waived_by)
