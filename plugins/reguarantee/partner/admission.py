"""The admission of a partner through the core workflow engine (docs/reguarantee/README.md, "Admission"): the
default definition ``reguarantee.admission``, the subject's fields its conditions read, and what happens to the
partner when the instance ends.

受理 Acceptance (department head) -> 准入分析 Analysis (risk officer; before approving, the analysis is recorded with
``services.record_analysis``: a score per criterion of the tenant's scorecard, weighted) -> 评审委员会 Committee (the
engine's committee step, as guarantee's review committee) -> approved: the partner becomes 合作中. The analysis step
goes on to the committee only when ``analysis_passed`` (an analysis is recorded, its score is at least the tenant's
``admission_min_score`` and a guarantee company's registered capital is at least ``min_registered_capital``); else
its approval ends the admission rejected. A rejected or withdrawn admission puts the partner back to 申请中 (it may
apply again).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.errors import Conflict
from surety.core.ids import as_uuid, str_or_none
from surety.core.workflow import helpers
from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.conventions import GUARANTOR_KINDS, PARTNER_KINDS
from surety.plugins.reguarantee.partner.models import ReguaranteePartner
from surety.plugins.reguarantee.partner.permissions import PARTNER
from surety.plugins.reguarantee.settings import get_settings

SUBJECT_TYPE = "reguarantee:partner"
DEFINITION_KEY = "reguarantee.admission"
SYSTEM_ID = "reguarantee.admission"
ENTITY = PARTNER

REJECT = {"to": "rejected", "on": "reject"}
ADMISSION = {
    "key": DEFINITION_KEY,
    "name": "合作机构准入 Partner admission",
    "subject_type": SUBJECT_TYPE,
    "start": "acceptance",
    "steps": [
        helpers.task_step("acceptance", "受理 Acceptance", {"role": "department_head"},
                          [{"to": "analysis"}, REJECT], days=3, escalate_to="executive"),
        helpers.task_step("analysis", "准入分析 Analysis", {"role": "risk_officer"},
                          [{"to": "committee", "when": "analysis_passed"}, {"to": "rejected"}, REJECT],
                          days=5, escalate_to="department_head"),
        {"key": "committee", "name": "评审委员会 Review committee", "kind": "committee",
         "assignee": {"role": "legal"}, "member_role": "committee_member",
         "quorum": 3, "pass_ratio": "2/3", "chair_veto": True,
         "timeout": {"working_days": 5, "remind_before": 1, "escalate_to": "executive"},
         "transitions": [{"to": "approved"}, REJECT]},
        helpers.end_step("approved"),
        helpers.end_step("rejected"),
    ],
}


def fields_of(session: Session, partner: ReguaranteePartner) -> dict[str, Any]:
    """What the definition's conditions and assignee rules read of a partner (no personal data: the engine stores
    these fields): its kind, capital, the analysis score and whether the analysis passes the tenant's criteria."""
    settings = get_settings(session)
    capital_ok = partner.kind not in GUARANTOR_KINDS or (
        partner.registered_capital is not None and partner.registered_capital >= settings.min_registered_capital)
    analysed = partner.analysis_score is not None
    score_ok = analysed and partner.analysis_score >= settings.admission_min_score
    return {"partner_id": str(partner.id), "partner_name": partner.name, "kind": partner.kind,
            "status": partner.status, "registered_capital": partner.registered_capital, "region": partner.region,
            "analysed": analysed, "analysis_score": partner.analysis_score, "min_score": settings.admission_min_score,
            "capital_ok": capital_ok, "analysis_passed": bool(analysed and score_ok and capital_ok),
            "analysed_by": str_or_none(partner.analysed_by)}


def partner_fields(session: Session, subject_id: str) -> dict[str, Any] | None:
    """The current fields of a partner (subject type ``reguarantee:partner``), None when there is no such partner."""
    partner_id = as_uuid(subject_id)
    partner = partner_id and session.scalar(select(ReguaranteePartner).where(ReguaranteePartner.id == partner_id))
    return fields_of(session, partner) if partner else None


def request_admission(session: Session, actor: Actor, partner_id: uuid.UUID) -> ReguaranteePartner:
    """Start the admission of a partner in 申请中 (needs reguarantee:partner:manage and core:workflow:start): the
    partner goes to 准入审批中 and a former analysis is cleared; audited."""
    require(session, actor, PARTNER, "manage")
    partner = lock_by_id(session, ReguaranteePartner, partner_id, "status", "partner", "id")
    if partner.status != "applying":
        raise Conflict("Only a partner that is applying can request admission.", field="id")
    partner.status = "in_admission"
    partner.analysis_scores = partner.analysis_score = partner.analysed_by = None
    session.flush()
    instance = helpers.start(session, actor, SYSTEM_ID, definition_key=DEFINITION_KEY, subject_type=SUBJECT_TYPE,
                             subject_id=str(partner.id),
                             title=f"合作机构准入 {partner.name}（{PARTNER_KINDS[partner.kind]}）")
    partner.admission_instance_id = instance.id
    session.flush()
    audit(session, "reguarantee.partner.admission_requested", entity_type=ENTITY, entity_id=partner.id,
          before={"status": "applying"}, after={"status": partner.status, "instance_id": str(instance.id)})
    return partner


def admission_ended(session: Session, event) -> None:
    """The admission instance of a partner ended: approved -> 合作中 (admitted today); rejected or withdrawn -> back
    to 申请中 with the last decision's comment as the reason. Another or a stale instance: ignored."""
    partner_id = as_uuid(event.subject_id)
    partner = partner_id and session.scalar(select(ReguaranteePartner).where(ReguaranteePartner.id == partner_id))
    if not partner or partner.admission_instance_id != event.instance_id or partner.status != "in_admission":
        return
    who, comment = helpers.last_decision(session, event.instance_id)
    if event.result == "approved":
        partner.status, partner.admitted_on = "active", business_today()
    else:
        partner.status = "applying"
    partner.status_reason = (comment or "")[:500]
    session.flush()
    audit(session, "reguarantee.partner.admission_decided", entity_type=ENTITY, entity_id=partner.id,
          before={"status": "in_admission"},
          after={"status": partner.status, "workflow_result": event.result, "decided_by": str_or_none(who),
                 "analysis_score": partner.analysis_score})


#: What the plugin's Processes read of this process module.
DEFINITIONS = [ADMISSION]
SUBJECTS = {SUBJECT_TYPE: (partner_fields, admission_ended)}
