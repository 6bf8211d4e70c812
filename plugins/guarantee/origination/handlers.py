"""Automatic workflow steps this plugin offers (``surety_workflow_handlers``), by name ``guarantee.<name>``, and the
notice to finance and legal when a project is approved (:func:`on_event`, one of ``plugin.EVENT_HANDLERS``)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.errors import NotFound
from surety.core.i18n import N_, translate
from surety.core.notifications.service import NOTIFICATION_LOCALE, notify
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


#: The approved project's notice, line by line (written in zh_CN, the notifications' language: docs/i18n.md).
NOTICE_TITLE = N_("Guarantee project {project_no} approved")
NOTICE_LINES = {
    "number": N_("Project number: {project_no}"),
    "amount": N_("Guarantee amount: {amount} yuan, term {months} months"),
    "product": N_("Product: {product}"),
    "fee_both": N_("Approved proposed fee: yearly rate {rate}, guarantee fee {fee} yuan"),
    "fee_rate": N_("Approved proposed fee: yearly rate {rate}"),
    "fee_amount": N_("Approved proposed fee: guarantee fee {fee} yuan"),
    "fee_none": N_("Approved proposed fee: none proposed in the application"),
    "conditions": N_("Review committee conditions: {count}, all to be met or waived by an approver before the loan "
                     "is confirmed"),
    "next": N_("Finance: set the fee plan accordingly; legal: prepare the guarantee contracts."),
}


def approved_notice(session: Session, project: GuaranteeProject, conditions: tuple[str, ...]) -> tuple[str, str]:
    """The zh-CN title and body of the approved project's notice: the project number (never the customer's name:
    an individual's name is personal data), the amount, the product, the approved fee proposal and the number of
    committee conditions (NOTICE_TITLE and NOTICE_LINES in NOTIFICATION_LOCALE)."""
    def say(key: str, **params: object) -> str:
        return translate(NOTICE_LINES[key], params, NOTIFICATION_LOCALE)

    product = session.scalar(select(GuaranteeProduct).where(GuaranteeProduct.id == project.product_id))
    title = translate(NOTICE_TITLE, {"project_no": project.project_no}, NOTIFICATION_LOCALE)
    lines = [say("number", project_no=project.project_no),
             say("amount", amount=inputs.yuan(project.amount), months=project.term_months),
             say("product", product=product.name if product else "-")]
    rate = None if project.proposed_fee_rate is None else _percent(project.proposed_fee_rate)
    fee = None if project.proposed_fee is None else inputs.yuan(project.proposed_fee)
    if rate is not None and fee is not None:
        lines.append(say("fee_both", rate=rate, fee=fee))
    elif rate is not None:
        lines.append(say("fee_rate", rate=rate))
    elif fee is not None:
        lines.append(say("fee_amount", fee=fee))
    else:
        lines.append(say("fee_none"))
    if conditions:
        lines.append(say("conditions", count=len(conditions)))
    lines.append(say("next"))
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
