"""Guarantee applications: enter and edit a draft, submit it (screening, counter-guarantee check, project number,
approval instance), withdraw it; and the tenant's application settings (number pattern, thresholds).

Everything runs in the caller's transaction, and :func:`submit_application` in a savepoint of its own: a refusal at
any point (blacklisted customer, missing counter-guarantee, nobody to take the first step...) leaves no number taken,
no instance started and the project a draft.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import allowed, require
from surety.core.context import ACTOR_USER, Actor
from surety.core.db import locking
from surety.core.db.base import uuid7
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surety.core.events import raise_event
from surety.core.i18n import N_
from surety.core.identity.models import USER_ACTIVE, User
from surety.core.ports import customers as door
from surety.core.words import Words
from surety.core.workflow import engine
from surety.core.workflow.actions import withdraw
from surety.plugins.guarantee.origination.approval import (
    DEFINITION_KEY,
    ENTITY,
    SUBJECT_TYPE,
    fields_of,
    stored_fields,
)
from surety.plugins.guarantee.origination.events import GuaranteeApplicationSubmitted
from surety.plugins.guarantee.permissions import PROJECT, SETTINGS
from surety.plugins.guarantee.project.models import (
    CATEGORY_FINANCING,
    CATEGORY_NON_FINANCING,
    LOAN_CATEGORIES,
    STATUS_DRAFT,
    STATUS_IN_APPROVAL,
    GuaranteeBank,
    GuaranteeCounterGuarantee,
    GuaranteeProduct,
    GuaranteeProject,
)
from surety.plugins.guarantee.project.numbering import next_number, validate_pattern
from surety.plugins.guarantee.project.projects import get_project
from surety.plugins.guarantee.project.words import project_status
from surety.plugins.guarantee.settings import GuaranteeSettings, get_settings

FIELDS = ("customer_id", "product_id", "bank_id", "amount", "term_months", "purpose", "loan_category", "renewal",
          "manager_a_id", "manager_b_id", "beneficiary_name", "underlying_contract", "proposed_fee_rate",
          "proposed_fee")
SCREEN_BUSINESS = "guarantee:application"
#: Prefix of the placeholder number a draft carries until it is submitted (the column is required and unique).
class CounterGuaranteeRequired(ValidationFailed):
    code = "GUARANTEE_COUNTER_GUARANTEE_REQUIRED"


def is_numbered(project: GuaranteeProject) -> bool:
    """Whether the project has its number (given at submission; drafts have none)."""
    return project.project_no is not None


def _image(p: GuaranteeProject) -> dict:
    return {**{f: getattr(p, f) for f in FIELDS}, "status": p.status,
            "project_no": p.project_no if is_numbered(p) else None, "org_unit_id": p.org_unit_id}


# ---------------------------------------------------------------- checks --------------------------------------------


def _as_uuid(value: Any, field: str, refusal: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise NotFound(refusal, field=field) from None


def _clean(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationFailed("Unknown application field {unknown!r}.", field=unknown[0], unknown=unknown[0])
    out: dict[str, Any] = {}

    def has(f: str) -> bool:
        return f in data or not partial

    if has("customer_id"):
        if data.get("customer_id") is None:
            raise ValidationFailed("Choose the customer.", field="customer_id")
        out["customer_id"] = _as_uuid(data["customer_id"], "customer_id", N_("No customer with that id."))
    if has("product_id"):
        if data.get("product_id") is None:
            raise ValidationFailed("Choose the guarantee product.", field="product_id")
        out["product_id"] = _as_uuid(data["product_id"], "product_id", N_("No guarantee product with that id."))
    if has("bank_id"):
        out["bank_id"] = None if data.get("bank_id") is None else _as_uuid(data["bank_id"], "bank_id",
                                                                           N_("No bank with that id."))
    if has("amount"):
        out["amount"] = inputs.money(data.get("amount"), "amount", positive=True)
    if has("term_months"):
        term = data.get("term_months")
        if isinstance(term, bool) or not isinstance(term, int) or term < 1:
            raise ValidationFailed("term_months is a whole number of months, at least 1.", field="term_months")
        out["term_months"] = term
    if has("purpose"):
        out["purpose"] = inputs.text(data.get("purpose"), "purpose", 500, required=True)
    if has("loan_category"):
        category = data.get("loan_category") or "other"
        if category not in LOAN_CATEGORIES:
            raise ValidationFailed("A loan category is one of {loan_categories}.", field="loan_category",
                                   loan_categories=", ".join(LOAN_CATEGORIES))
        out["loan_category"] = category
    if has("renewal"):
        renewal = data.get("renewal", False)
        if not isinstance(renewal, bool):
            raise ValidationFailed("renewal is true or false.", field="renewal")
        out["renewal"] = renewal
    for f, limit in (("beneficiary_name", 200), ("underlying_contract", 300)):
        if f in data:
            out[f] = inputs.text(data[f], f, limit) or None
    if "proposed_fee_rate" in data:
        out["proposed_fee_rate"] = inputs.rate(data["proposed_fee_rate"], "proposed_fee_rate", required=False,
                                               high=Decimal("0.36"), what=Words(N_("The proposed yearly fee rate")))
    if "proposed_fee" in data:
        out["proposed_fee"] = inputs.money(data["proposed_fee"], "proposed_fee", required=False,
                                           what=Words(N_("The proposed fee")))
    for f in ("manager_a_id", "manager_b_id"):
        if f in data:
            out[f] = None if data[f] is None else _as_uuid(data[f], f, N_("No user with that id."))
    return out


def _customer(session: Session, customer_id: uuid.UUID) -> Mapping[str, Any]:
    summary = door.summary(session, customer_id)
    if summary is None or summary.get("deleted"):
        raise NotFound("No customer with that id.", field="customer_id")
    return summary


def _product(session: Session, product_id: uuid.UUID) -> GuaranteeProduct:
    product = session.scalar(select(GuaranteeProduct).where(GuaranteeProduct.id == product_id))
    if product is None:
        raise NotFound("No guarantee product with that id.", field="product_id")
    if not product.active:
        raise ValidationFailed("The product {product} is retired; choose another.", field="product_id",
                               product=product.code)
    return product


def _manager(session: Session, user_id: uuid.UUID, field: str) -> User:
    user = session.scalar(select(User).where(User.id == user_id))
    if user is None or user.status != USER_ACTIVE:
        raise NotFound("No active user with that id.", field=field)
    as_actor = Actor(type=ACTOR_USER, id=str(user.id), tenant_id=user.tenant_id, org_unit_id=user.org_unit_id)
    if not allowed(session, as_actor, PROJECT, "create"):
        raise ValidationFailed("Manager A must be a customer manager (someone who may enter guarantee applications)."
                               if field == "manager_a_id" else
                               "Manager B must be a customer manager (someone who may enter guarantee applications).",
                               field=field)
    return user


def _check(session: Session, p: GuaranteeProject) -> GuaranteeProduct:
    """The application's figures against its product, bank and managers (on every save and at submission)."""
    product = _product(session, p.product_id)
    if p.amount < product.min_amount or (product.max_amount is not None and p.amount > product.max_amount):
        raise ValidationFailed("The amount {amount} is outside the range of product {product} "
                               "({min_amount} to {upper} yuan)." if product.max_amount is not None else
                               "The amount {amount} is outside the range of product {product} "
                               "({min_amount} to no limit yuan).", field="amount", amount=p.amount,
                               product=product.code, min_amount=product.min_amount, upper=product.max_amount)
    if not product.min_term_months <= p.term_months <= product.max_term_months:
        raise ValidationFailed("The term of {term_months} months is outside the range of product {product} "
                               "({min_term_months} to {max_term_months} months).",
                               field="term_months", term_months=p.term_months, product=product.code,
                               min_term_months=product.min_term_months, max_term_months=product.max_term_months)
    if p.bank_id is not None:
        bank = session.scalar(select(GuaranteeBank).where(GuaranteeBank.id == p.bank_id))
        if bank is None:
            raise NotFound("No bank with that id.", field="bank_id")
        if not bank.active:
            raise ValidationFailed("The bank {name} is no longer a partner.", field="bank_id", name=bank.name)
    elif product.category == CATEGORY_FINANCING and product.kind == "loan":
        raise ValidationFailed("A loan guarantee names the lending bank.", field="bank_id")
    if p.manager_b_id is not None and p.manager_b_id == p.manager_a_id:
        raise ValidationFailed("Manager B must be someone other than manager A.", field="manager_b_id")
    return product


def _apply(session: Session, project: GuaranteeProject, fields: Mapping[str, Any]) -> None:
    """Set ``fields`` on ``project`` and check what they name (NOT_FOUND naming the field for an unknown or another
    tenant's id); nothing is flushed before the checks passed, so the foreign keys never have to refuse it."""
    with session.no_autoflush:
        for f, value in fields.items():
            setattr(project, f, value)
        if "customer_id" in fields:
            project.customer_kind = _customer(session, project.customer_id)["kind"]
        if "manager_a_id" in fields:
            lead = _manager(session, project.manager_a_id, "manager_a_id")
            project.owner_id, project.org_unit_id = lead.id, lead.org_unit_id
        if fields.get("manager_b_id") is not None:
            _manager(session, project.manager_b_id, "manager_b_id")
        _check(session, project)


# ---------------------------------------------------------------- drafts ---------------------------------------------


def create_application(session: Session, actor: Actor, data: Mapping[str, Any]) -> GuaranteeProject:
    """A draft application (needs guarantee:project:create). Manager A defaults to the actor; the project's org unit
    and owner are manager A's."""
    require(session, actor, PROJECT, "create")
    fields = _clean(data, partial=False)
    fields.setdefault("manager_a_id", actor.id_uuid)
    if fields["manager_a_id"] is None:
        raise ValidationFailed("Name manager A (the lead customer manager).", field="manager_a_id")
    project_id = uuid7()
    project = GuaranteeProject(id=project_id, project_no=None, status=STATUS_DRAFT,
                               flags=[], created_by=actor.id_uuid)
    _apply(session, project, fields)
    session.add(project)
    session.flush()
    audit(session, "guarantee.application.created", entity_type=ENTITY, entity_id=project.id, after=_image(project),
          actor=actor)
    return project


def update_application(session: Session, actor: Actor, project_id: uuid.UUID,
                       data: Mapping[str, Any]) -> GuaranteeProject:
    """Change the given fields of a draft (needs guarantee:project:update and the project in the actor's scope)."""
    project = get_project(session, actor, project_id, act="update")
    if project.status != STATUS_DRAFT:
        raise Conflict("Only a draft can be edited; this project is {status}.", field="id", status=project_status(project.status))
    before = _image(project)
    fields = _clean(data, partial=True)
    if "manager_a_id" in fields and fields["manager_a_id"] is None:
        raise ValidationFailed("A project always has a manager A.", field="manager_a_id")
    _apply(session, project, fields)
    after = _image(project)
    if after != before:
        project.updated_at = utcnow()
        session.flush()
        audit(session, "guarantee.application.updated", entity_type=ENTITY, entity_id=project.id, before=before,
              after=after, actor=actor)
    return project


# ---------------------------------------------------------------- submission -----------------------------------------


def _lock(session: Session, project_id: uuid.UUID) -> GuaranteeProject | None:
    """The project, its row locked so that two submissions of one draft run one after the other."""
    return locking.lock_row(session, GuaranteeProject, GuaranteeProject.id == project_id,
                            values={"updated_at": utcnow()})


def submit_application(session: Session, actor: Actor, project_id: uuid.UUID, *,
                       today: dt.date | None = None) -> GuaranteeProject:
    """Submit a draft for approval (needs guarantee:project:create or :update; only manager A or B): screen the
    customer, check the counter-guarantees, take the project number and start ``guarantee.approval``."""

    if not (allowed(session, actor, PROJECT, "create") or allowed(session, actor, PROJECT, "update")):
        require(session, actor, PROJECT, "create")  # audited denial naming the permission
    get_project(session, actor, project_id)  # NotFound outside the actor's scope
    today = today or engine.business_today()
    with session.begin_nested():
        project = _lock(session, project_id)
        if project is None:
            raise NotFound("No guarantee project with that id.", field="id")
        if actor.id_uuid not in (project.manager_a_id, project.manager_b_id):
            raise PermissionDenied("Only the project's manager A or B may submit it.", field="id")
        if project.status != STATUS_DRAFT:
            raise Conflict("Only a draft can be submitted; this project is {status}.", field="id",
                           status=project_status(project.status))
        product = _check(session, project)
        if product.category == CATEGORY_NON_FINANCING and not project.beneficiary_name:
            raise ValidationFailed("A non-financing guarantee names its beneficiary (受益人) before it is submitted.",
                                   field="beneficiary_name")
        customer = _customer(session, project.customer_id)
        flags = door.screen(session, project.customer_id, SCREEN_BUSINESS)
        if product.requires_counter_guarantee:
            count = session.scalar(select(func.count()).select_from(GuaranteeCounterGuarantee)
                                   .where(GuaranteeCounterGuarantee.project_id == project.id))
            if not count:
                raise CounterGuaranteeRequired(
                    "Product {product} requires a counter-guarantee; record at least one before submitting.",
                    field="counter_guarantees", product=product.code)
        project.project_no = next_number(session, get_settings(session).number_pattern, today)
        project.flags = sorted(set(project.flags or []) | set(flags))
        project.status, project.submitted_at = STATUS_IN_APPROVAL, utcnow()
        session.flush()
        # The subject's fields once: the engine stores them without the customer's name, and its first step reads
        # them as they are (the plugin's surety_workflow_subject would answer the same).
        current = fields_of(session, project, customer=customer)
        instance = engine.start(session, actor, definition_key=DEFINITION_KEY, subject_type=SUBJECT_TYPE,
                                subject_id=str(project.id), subject=stored_fields(current), current=current,
                                title=f"担保项目 {project.project_no}", today=today)
        project.workflow_instance_id = instance.id
        session.flush()
        audit(session, "guarantee.application.submitted", entity_type=ENTITY, entity_id=project.id,
              after={**_image(project), "flags": project.flags, "workflow_instance_id": instance.id}, actor=actor)
        raise_event(session, GuaranteeApplicationSubmitted(project_id=project.id, project_no=project.project_no,
                                                           customer_id=project.customer_id, amount=project.amount))
    return project


def withdraw_application(session: Session, actor: Actor, project_id: uuid.UUID, *,
                         comment: str | None = None) -> GuaranteeProject:
    """Take a submitted application back (撤回): its approval instance ends as withdrawn (only the person who
    submitted it may), and the project becomes ``withdrawn``."""

    project = get_project(session, actor, project_id)
    if project.status != STATUS_IN_APPROVAL or project.workflow_instance_id is None:
        raise Conflict("Only a project in approval can be withdrawn; this one is {status}.", field="id",
                       status=project_status(project.status))
    withdraw(session, actor, project.workflow_instance_id, comment=comment)
    session.refresh(project)
    return project


# ---------------------------------------------------------------- settings -------------------------------------------


#: Day-count settings of post-guarantee monitoring and reminders: name -> (lowest, highest) allowed.
DAY_SETTINGS = {"first_inspection_days": (1, 366), "inspection_interval_days": (1, 366),
                "expiring_within_days": (1, 366), "fee_due_within_days": (0, 90)}
#: The guarantor's legal particulars documents print: name -> longest text (the columns of GuaranteeSettings).
LEGAL_SETTINGS = {"legal_name": 200, "legal_address": 300, "legal_representative": 100, "seal_text": 100}


def update_settings(session: Session, actor: Actor, *, number_pattern: str | None = None,
                    committee_threshold: Any = None, green_channel_max: Any = None, legal_name: str | None = None,
                    legal_address: str | None = None, legal_representative: str | None = None,
                    seal_text: str | None = None, **days: int | None) -> GuaranteeSettings:
    """Change the number pattern, the approval thresholds, the day counts of DAY_SETTINGS and the guarantor's legal
    particulars documents print (legal name, registered address, legal representative, seal text; '' clears one)
    (needs guarantee:settings:manage); None keeps a value. Numbers already given are kept; the new pattern applies to
    the next submission; new day counts apply to plans created and reminders sent afterwards; the particulars apply
    to documents generated afterwards."""

    require(session, actor, SETTINGS, "manage")
    settings = get_settings(session)
    unknown = sorted(set(days) - set(DAY_SETTINGS))
    if unknown:
        raise TypeError(f"update_settings() got unexpected settings {unknown}")
    names = ("number_pattern", "committee_threshold", "green_channel_max", *DAY_SETTINGS, *LEGAL_SETTINGS)
    before = {n: getattr(settings, n) for n in names}
    if number_pattern is not None:
        settings.number_pattern = validate_pattern(number_pattern)
    if committee_threshold is not None:
        settings.committee_threshold = inputs.money(committee_threshold, "committee_threshold")
    if green_channel_max is not None:
        settings.green_channel_max = inputs.money(green_channel_max, "green_channel_max")
    for name, value in days.items():
        if value is not None:
            setattr(settings, name, inputs.whole(value, name, *DAY_SETTINGS[name], "days"))
    legal = {"legal_name": legal_name, "legal_address": legal_address, "legal_representative": legal_representative,
             "seal_text": seal_text}
    for name, value in legal.items():
        if value is not None:
            setattr(settings, name, inputs.text(value, name, LEGAL_SETTINGS[name]))
    after = {n: getattr(settings, n) for n in names}
    if after != before:
        session.flush()
        audit(session, "guarantee.settings.updated", entity_type="guarantee:settings", entity_id=settings.id,
              before=before, after=after, actor=actor)
    return settings
