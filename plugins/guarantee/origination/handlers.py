"""Automatic workflow steps this plugin offers (``surety_workflow_handlers``), by name ``guarantee.<name>``, and the
notice to finance and legal when a project is approved (:func:`on_event`, one of ``plugin.EVENT_HANDLERS``)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.errors import NotFound
from surety.core.notifications.service import notify
from surety.core.workflow.assignees import NoAssignee, resolve
from surety.plugins.guarantee.finance.banks import reserve
from surety.plugins.guarantee.project.models import GuaranteeProduct, GuaranteeProject

CREDIT_LINE_CHECK = "guarantee.credit_line_check"
OK = "ok"


def _project(session: Session, subject_id: str) -> GuaranteeProject:
    try:
        project_id = uuid.UUID(str(subject_id))
    except ValueError:
        project_id = None
    project = session.scalar(select(GuaranteeProject).where(GuaranteeProject.id == project_id)) \
        if project_id else None
    if project is None:
        raise NotFound("The workflow's subject is not a guarantee project of this company.", field="subject_id")
    return project


def credit_line_check(session: Session, call) -> str:
    """Reserve a financing project's amount on its bank's credit line (:func:`banks.reserve`) and answer ``ok``.
    A project over the line's available amount raises ``GUARANTEE_CREDIT_LINE_EXCEEDED`` with the figures, so the
    action that reached this step is refused and nothing changes. Non-financing projects and projects without a
    bank pass."""
    reserve(session, _project(session, call.subject_id))
    return OK


def handlers() -> dict:
    return {CREDIT_LINE_CHECK: credit_line_check}


# ---------------------------------------------------------------- the approved project's notice --------------------

#: Notification kind of the notice sent when a project is approved.
NOTIFY_APPROVED = "guarantee_project_approved"
#: Who is told: holders of these roles (tenant-wide: finance plans and collects the fees, legal prepares the
#: contracts).
APPROVED_NOTICE_ROLES = ("finance", "legal")
ENTITY = "guarantee:project"


def _holders(session: Session, role: str) -> list[uuid.UUID]:
    try:
        return resolve(session, {"role": role}, {}, "notice")
    except NoAssignee:
        return []


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).quantize(Decimal('0.0001')).normalize():f}%"


def approved_notice(session: Session, project: GuaranteeProject, conditions: tuple[str, ...]) -> tuple[str, str]:
    """The zh-CN title and body of the approved project's notice: the project number (never the customer's name:
    an individual's name is personal data), the amount, the product, the approved fee proposal and the number of
    committee conditions."""
    product = session.scalar(select(GuaranteeProduct).where(GuaranteeProduct.id == project.product_id))
    title = f"担保项目 {project.project_no} 已审批通过"
    lines = [f"项目编号：{project.project_no}", f"担保金额：{inputs.yuan(project.amount)} 元，期限 "
             f"{project.term_months} 个月", f"产品：{product.name if product else '-'}"]
    if project.proposed_fee_rate is not None or project.proposed_fee is not None:
        parts = []
        if project.proposed_fee_rate is not None:
            parts.append(f"年费率 {_percent(project.proposed_fee_rate)}")
        if project.proposed_fee is not None:
            parts.append(f"担保费 {inputs.yuan(project.proposed_fee)} 元")
        lines.append(f"批准的拟收担保费：{'，'.join(parts)}")
    else:
        lines.append("批准的拟收担保费：申请未拟定")
    if conditions:
        lines.append(f"审保会附加条件：{len(conditions)} 项，放款确认前须全部落实或经审批人豁免")
    lines.append("请财务据此制定收费计划，法务准备担保合同。")
    return title, "\n".join(lines)


def on_event(session: Session, event) -> None:
    """``GuaranteeProjectDecided`` with result ``approved``: every active holder of the finance and legal roles
    (APPROVED_NOTICE_ROLES) gets an in-app notification (kind ``guarantee_project_approved``, about the project;
    delivered by the tenant's channels like any other), in the approving transaction. Other events: nothing."""
    if event.event_type != "GuaranteeProjectDecided" or event.result != "approved":
        return
    project = session.scalar(select(GuaranteeProject).where(GuaranteeProject.id == event.project_id))
    if project is None:
        return
    recipients = [u for role in APPROVED_NOTICE_ROLES for u in _holders(session, role)]
    if not recipients:
        return
    title, body = approved_notice(session, project, tuple(event.conditions or ()))
    notify(session, recipients, NOTIFY_APPROVED, title, body, entity_type=ENTITY, entity_id=project.id)
