"""Contracts of a project: the tenant's templates (versions of a .docx per contract type, defaults installed on first
use), generating the guarantee, entrustment and counter-guarantee contracts of an approved project, and recording
their signing (by hand here, by an e-signature provider through esign.py). When every required contract is signed
the project moves from approved to contracted (docs/guarantee/documents.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.attachments import service as attachments
from surety.core.attachments.models import Attachment
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.events import raise_event
from surety.core.ports import customers as door
from surety.core.workflow.engine import business_today
from surety.core.workflow.models import WorkflowInstance
from surety.plugins.guarantee.documents.events import GuaranteeContractSigned
from surety.plugins.guarantee.documents.models import (
    CONTRACT_SIGNED,
    CONTRACT_SUPERSEDED,
    GuaranteeContract,
    GuaranteeContractTemplate,
)
from surety.plugins.guarantee.permissions import CONTRACT
from surety.plugins.guarantee.project import conditions
from surety.plugins.guarantee.project.models import (
    CATEGORY_FINANCING,
    COMPONENTS,
    DEFAULT_COMPONENTS,
    STATUS_APPROVED,
    STATUS_CONTRACTED,
    GuaranteeBank,
    GuaranteeCounterGuarantee,
    GuaranteeProduct,
    GuaranteeProject,
)
from surety.plugins.guarantee.project.projects import get_project as project_in_scope
from surety.plugins.guarantee.project.words import project_status
from surety.plugins.guarantee.settings import legal_particulars
from surety.plugins.guarantee.templates import fill, wording
from surety.plugins.guarantee.templates.defaults import default_template
from surety.plugins.guarantee.templates.numerals import amount_in_words

PROJECT_ENTITY = "guarantee:project"
TEMPLATE_ENTITY = "guarantee:contract_template"
SIGNED_VIA_MANUAL = "manual"
SIGNED_VIA_ESIGN = "esign"
#: Counter-guarantees of these kinds have no counter-guarantor to sign with (信用: none), so no contract.
NO_CONTRACT_KINDS = ("credit",)
#: Counter-guarantees that are a guarantee (保证) by a person or company: no collateral value, no pledge rate.
GUARANTEE_KINDS = ("third_party",)
_SUFFIX = {fill.GUARANTEE: "BZ", fill.ENTRUSTMENT: "WT", fill.COUNTER_GUARANTEE: "FD"}


# ---------------------------------------------------------------- templates -----------------------------------------

def _install_default(session: Session, contract_type: str) -> GuaranteeContractTemplate:
    data = default_template(contract_type)
    row = GuaranteeContractTemplate(contract_type=contract_type, version=1, filename=f"{contract_type}.docx",
                                    content=data, sha256=hashlib.sha256(data).hexdigest(),
                                    placeholders=fill.check_template(data, contract_type), source="default")
    session.add(row)
    session.flush()
    return row


def current_template(session: Session, contract_type: str) -> GuaranteeContractTemplate:
    """The newest template version of ``contract_type``; the shipped default is installed on first use."""
    fill.check_contract_type(contract_type)
    row = session.scalar(select(GuaranteeContractTemplate).where(
        GuaranteeContractTemplate.contract_type == contract_type)
        .order_by(GuaranteeContractTemplate.version.desc()).limit(1))
    return row if row is not None else _install_default(session, contract_type)


def list_templates(session: Session, actor: Actor, contract_type: str | None = None) -> list[GuaranteeContractTemplate]:
    """Every template version (newest first per type) of ``contract_type`` or of all types (contract:read)."""
    require(session, actor, CONTRACT, "read")
    types = [fill.check_contract_type(contract_type)] if contract_type else list(fill.TEMPLATE_TYPES)
    out = []
    for kind in types:
        current_template(session, kind)
        out += session.scalars(select(GuaranteeContractTemplate).where(
            GuaranteeContractTemplate.contract_type == kind).order_by(GuaranteeContractTemplate.version.desc()))
    return out


def upload_template(session: Session, actor: Actor, contract_type: str, data: bytes,
                    filename: str | None = None) -> GuaranteeContractTemplate:
    """Store ``data`` as the next version of the tenant's ``contract_type`` template (contract:manage). A broken
    .docx, a malformed placeholder or one the type does not know is refused (ValidationFailed on ``file``)."""
    require(session, actor, CONTRACT, "manage")
    filename = (filename or f"{contract_type}.docx")[:255]
    placeholders = fill.check_template(bytes(data), contract_type, filename)
    previous = current_template(session, contract_type)
    newest = session.scalar(select(func.max(GuaranteeContractTemplate.version))
                            .where(GuaranteeContractTemplate.contract_type == contract_type)) or previous.version
    row = GuaranteeContractTemplate(contract_type=contract_type, version=newest + 1, filename=filename,
                                    content=bytes(data), sha256=hashlib.sha256(data).hexdigest(),
                                    placeholders=placeholders, source="upload", created_by=actor.id)
    session.add(row)
    session.flush()
    audit(session, "guarantee.contract_template.uploaded", entity_type=TEMPLATE_ENTITY, entity_id=row.id,
          actor=actor, after={"contract_type": contract_type, "version": row.version, "filename": filename,
                              "sha256": row.sha256, "placeholders": placeholders})
    return row


def upload_template_from_attachment(session: Session, actor: Actor, contract_type: str,
                                    attachment_id: uuid.UUID | str) -> GuaranteeContractTemplate:
    """As :func:`upload_template`, with a .docx already uploaded through the attachments service (``POST
    /attachments``, entity ``guarantee:contract_template`` and the contract type as its id)."""
    require(session, actor, CONTRACT, "manage")
    row, data = attachments.download(session, actor, attachment_id)
    return upload_template(session, actor, contract_type, data, row.filename)


def template_attachment_guard(session: Session, actor: Actor, entity_id: str) -> None:
    """Files of entity ``guarantee:contract_template`` (templates on their way in) are for contract managers."""
    require(session, actor, CONTRACT, "manage")
    fill.check_contract_type(entity_id)


# ---------------------------------------------------------------- filling -------------------------------------------

def get_project(session: Session, project_id: uuid.UUID, *, lock: bool = False) -> GuaranteeProject:
    """The project (read afresh; ``lock``: row-locked until the transaction ends). NotFound when absent."""
    stmt = select(GuaranteeProject).where(GuaranteeProject.id == project_id).execution_options(populate_existing=True)
    project = session.scalar(stmt.with_for_update() if lock else stmt)
    if project is None:
        raise NotFound("No guarantee project with that id.", field="project_id")
    return project


def _date(value: dt.date | None) -> str:
    return wording.cn_date(value)


def _money(value: Decimal) -> str:
    return wording.figures(value)


def _percent(rate: Decimal) -> str:
    return wording.percent(rate)


def counter_summary(counter: GuaranteeCounterGuarantee) -> str:
    """One counter-guarantee in words, for lists (``抵押：李四，厂房一处，权证编号：…，评估价值人民币…``). A guarantee
    (保证) by a third party is worded as such (保证人…承担连带保证责任), with no valuation or pledge rate; credit (信用)
    has neither; empty parts are left out (:func:`wording.join`)."""
    kind_name = fill.COUNTER_KIND_NAMES.get(counter.kind, counter.kind)
    collateral = wording.collateral_text(counter.collateral)
    if counter.kind in GUARANTEE_KINDS:
        who = wording.join([counter.owner_name and f"保证人{counter.owner_name}", collateral.replace("；", "，")])
        body = wording.join([who, counter.description, "承担连带保证责任"])
    elif counter.kind in NO_CONTRACT_KINDS:
        body = wording.join([counter.description])
    else:
        valuation = (f"评估价值人民币{amount_in_words(counter.valuation)}（¥{_money(counter.valuation)}），"
                     f"抵（质）押率{_percent(counter.discount_rate)}" if counter.valuation else "")
        body = wording.join([counter.owner_name, counter.description, collateral.replace("；", "，"), valuation])
    return f"{kind_name}：{body}" if body else kind_name


def _counter_values(counter: GuaranteeCounterGuarantee) -> dict[str, Any]:
    guarantee = counter.kind in GUARANTEE_KINDS
    return {"kind": counter.kind, "kind_name": fill.COUNTER_KIND_NAMES.get(counter.kind, counter.kind),
            "owner": counter.owner_name or "", "description": wording.join([counter.description]),
            "collateral": wording.collateral_text(counter.collateral),
            "valuation": "" if guarantee else _money(counter.valuation),
            "valuation_upper": "" if guarantee else amount_in_words(counter.valuation),
            "valuation_date": _date(counter.valuation_date),
            "discount_rate": "" if guarantee else _percent(counter.discount_rate),
            "is_guarantee": guarantee, "summary": counter_summary(counter)}


def _conditions(session: Session, project: GuaranteeProject) -> list[str]:
    """The approval's conditions: the tracked ones (project/conditions.py), else those the approval's variables
    carry (older approvals)."""
    tracked = conditions.conditions_by_project(session, [project.id]).get(project.id) or []
    if tracked:
        return [c.text for c in tracked]
    if project.workflow_instance_id is None:
        return []
    variables = session.scalar(select(WorkflowInstance.variables).where(
        WorkflowInstance.id == project.workflow_instance_id)) or {}
    return [str(c) for c in variables.get("conditions") or ()]


def is_financing(session: Session, project: GuaranteeProject) -> bool:
    """Whether ``project`` guarantees a loan (its product's category is financing)."""
    category = session.scalar(select(GuaranteeProduct.category).where(GuaranteeProduct.id == project.product_id))
    return (category or CATEGORY_FINANCING) == CATEGORY_FINANCING


def covered_scope(session: Session, project: GuaranteeProject) -> str:
    """What a claim on ``project`` may cover, in words (``本金、利息、罚息``): the same answer as compensation/claims.py
    ``scope_text(covered_components(...))``, read from project/models.py's COMPONENTS and DEFAULT_COMPONENTS here
    because this area sits below compensation (tests/plugins/guarantee/test_layout.py); a test keeps the two equal."""
    if project.covered_components:
        chosen = tuple(project.covered_components)
    else:
        category = session.scalar(select(GuaranteeProduct.category).where(GuaranteeProduct.id == project.product_id))
        chosen = DEFAULT_COMPONENTS.get(category or CATEGORY_FINANCING, DEFAULT_COMPONENTS[CATEGORY_FINANCING])
    return "、".join(COMPONENTS[c] for c in COMPONENTS if c in chosen)


def project_context(session: Session, project: GuaranteeProject, counters: list[GuaranteeCounterGuarantee],
                    today: dt.date) -> dict[str, Any]:
    """The placeholders every document of ``project`` shares (templates.fill.COMMON)."""

    guarantor = legal_particulars(session)
    bank = session.scalar(select(GuaranteeBank).where(GuaranteeBank.id == project.bank_id)) if project.bank_id else None
    product = session.scalar(select(GuaranteeProduct).where(GuaranteeProduct.id == project.product_id))
    financing = is_financing(session, project)
    bank_name = bank.name if bank else ""
    return {
        "contract_date": _date(today), "company_name": guarantor.name, "company_address": guarantor.address,
        "legal_representative": guarantor.representative, "seal_text": guarantor.seal_text,
        "project_no": project.project_no,
        "customer_name": door.names(session, [project.customer_id]).get(project.customer_id, ""),
        "amount": _money(project.amount), "amount_upper": amount_in_words(project.amount),
        "amount_wan": wording.wan(project.amount), "term_months": project.term_months,
        "bank_name": bank_name, "product_name": product.name if product else "",
        "purpose": project.purpose or "", "financing": financing,
        "beneficiary_name": bank_name if financing else (project.beneficiary_name or ""),
        "underlying_contract": "" if financing else (project.underlying_contract or ""),
        "effective_date": _date(project.effective_date), "expiry_date": _date(project.expiry_date),
        "guarantee_period": wording.period_text(financing=financing, expiry=project.expiry_date),
        "scope": covered_scope(session, project),
        "conditions": wording.join(_conditions(session, project), "；"),
        "counter_guarantees": [_counter_values(c) for c in counters],
    }


def counter_context(counter: GuaranteeCounterGuarantee) -> dict[str, Any]:
    """The counter-guarantee contract's own placeholders (templates.fill.COUNTER)."""
    return {**{f"counter_{k}": v for k, v in _counter_values(counter).items()},
            "counter_period": wording.counter_period_text()}


# ---------------------------------------------------------------- generating ----------------------------------------

def project_counters(session: Session, project_id: uuid.UUID) -> list[GuaranteeCounterGuarantee]:
    """The project's counter-guarantees in the order they were recorded."""
    return list(session.scalars(select(GuaranteeCounterGuarantee).where(
        GuaranteeCounterGuarantee.project_id == project_id)
        .order_by(GuaranteeCounterGuarantee.created_at, GuaranteeCounterGuarantee.id)))


def required_contracts(counters: list[GuaranteeCounterGuarantee]) -> list[tuple[str, GuaranteeCounterGuarantee | None]]:
    """What a project needs signed: the guarantee and entrustment contracts, and one counter-guarantee contract per
    counter-guarantee (credit ones excepted: nobody provides them)."""
    return ([(fill.GUARANTEE, None), (fill.ENTRUSTMENT, None)]
            + [(fill.COUNTER_GUARANTEE, c) for c in counters if c.kind not in NO_CONTRACT_KINDS])


def current_contracts(session: Session, project_id: uuid.UUID) -> list[GuaranteeContract]:
    """The project's contracts that count (not superseded), in generation order."""
    return list(session.scalars(select(GuaranteeContract).where(
        GuaranteeContract.project_id == project_id, GuaranteeContract.status != CONTRACT_SUPERSEDED)
        .order_by(GuaranteeContract.created_at, GuaranteeContract.contract_no)
        .execution_options(populate_existing=True)))


def _key(contract_type: str, counter_id: uuid.UUID | None) -> tuple[str, uuid.UUID | None]:
    return contract_type, counter_id


def generate_contracts(session: Session, actor: Actor, project_id: uuid.UUID, *, regenerate: bool = False,
                       today: dt.date | None = None) -> list[GuaranteeContract]:
    """Fill the tenant's current templates for an approved project and store each .docx as an attachment of the
    project (contract:manage): the guarantee contract, the entrustment contract and one counter-guarantee contract
    per counter-guarantee. Once generated, generating again needs ``regenerate``: the contracts not yet signed are
    superseded and made afresh (e.g. after a counter-guarantee was added), signed ones are kept. Returns the
    project's current contracts."""

    require(session, actor, CONTRACT, "manage")
    project = get_project(session, project_id, lock=True)
    if project.status != STATUS_APPROVED:
        raise Conflict("Contracts are generated for an approved project; project {project_no} is "
                       "{status}.", field="project_id", project_no=project.project_no, status=project_status(project.status))
    existing = current_contracts(session, project.id)
    if existing and not regenerate:
        raise Conflict("The contracts of project {project_no} were already generated ({count}); "
                       "regenerate to replace those not yet signed.", field="regenerate",
                       project_no=project.project_no, count=len(existing))
    signed = {_key(c.contract_type, c.counter_guarantee_id) for c in existing if c.status == CONTRACT_SIGNED}
    for contract in existing:
        if contract.status != CONTRACT_SIGNED:
            contract.status, contract.updated_at = CONTRACT_SUPERSEDED, utcnow()
    counters = project_counters(session, project.id)
    today = today or business_today()
    shared = project_context(session, project, counters, today)
    numbers = {c.id: n for n, c in enumerate(counters, start=1)}
    made = []
    for contract_type, counter in required_contracts(counters):
        if _key(contract_type, counter.id if counter else None) in signed:
            continue
        template = current_template(session, contract_type)
        suffix = _SUFFIX[contract_type] + (str(numbers[counter.id]) if counter else "")
        contract_no = f"{project.project_no}-{suffix}"
        context = {**shared, "contract_no": contract_no, **(counter_context(counter) if counter else {})}
        document = fill.render(template.content, context, template.filename)
        stored = attachments.upload(session, actor, PROJECT_ENTITY, str(project.id),
                                    f"{contract_no} {fill.CONTRACT_TYPE_NAMES[contract_type]}.docx", document)
        contract = GuaranteeContract(project_id=project.id, contract_type=contract_type, contract_no=contract_no,
                                     counter_guarantee_id=counter.id if counter else None, template_id=template.id,
                                     template_version=template.version, attachment_id=stored.id,
                                     created_by=actor.id, signers=[])
        session.add(contract)
        made.append(contract)
    session.flush()
    audit(session, "guarantee.contracts.generated", entity_type=PROJECT_ENTITY, entity_id=project.id, actor=actor,
          after={"contracts": [{"id": str(c.id), "contract_no": c.contract_no, "contract_type": c.contract_type,
                                "template_version": c.template_version} for c in made],
                 "superseded": [str(c.id) for c in existing if c.status == CONTRACT_SUPERSEDED]})
    return current_contracts(session, project.id)


# ---------------------------------------------------------------- reading -------------------------------------------

def list_contracts(session: Session, actor: Actor, project_id: uuid.UUID, *,
                   include_superseded: bool = False) -> list[GuaranteeContract]:
    """The project's contracts (contract:read, and the project in the actor's data scope), superseded ones only
    when asked."""

    require(session, actor, CONTRACT, "read")
    project_in_scope(session, actor, project_id)  # NotFound outside the actor's data scope
    if not include_superseded:
        return current_contracts(session, project_id)
    return list(session.scalars(select(GuaranteeContract).where(GuaranteeContract.project_id == project_id)
                                .order_by(GuaranteeContract.created_at, GuaranteeContract.contract_no)))


def get_contract(session: Session, actor: Actor, contract_id: uuid.UUID, *, act: str = "read",
                 lock: bool = False) -> GuaranteeContract:
    require(session, actor, CONTRACT, act)
    stmt = select(GuaranteeContract).where(GuaranteeContract.id == contract_id) \
        .execution_options(populate_existing=True)
    contract = session.scalar(stmt.with_for_update() if lock else stmt)
    if contract is None:
        raise NotFound("No contract with that id.", field="contract_id")
    return contract


# ---------------------------------------------------------------- signing -------------------------------------------

def _signers(signers: Iterable[Mapping[str, str] | str] | None) -> list[dict[str, str]]:
    out = []
    for item in signers or ():
        entry = {"name": item} if isinstance(item, str) else dict(item)
        name = " ".join(str(entry.get("name") or "").split())
        if not name or len(name) > 200:
            raise ValidationFailed("Each signer has a name (at most 200 characters).", field="signers")
        out.append({"role": str(entry.get("role") or "")[:50], "name": name})
    return out


def _signed_copy(session: Session, contract: GuaranteeContract,
                 attachment_id: uuid.UUID | str | None) -> uuid.UUID | None:
    if attachment_id is None:
        return None

    try:
        ident = attachment_id if isinstance(attachment_id, uuid.UUID) else uuid.UUID(str(attachment_id))
    except ValueError:
        raise NotFound("No attachment with that id.", field="signed_attachment_id") from None
    row = session.scalar(select(Attachment).where(
        Attachment.id == ident, Attachment.deleted_at.is_(None), Attachment.entity_type == PROJECT_ENTITY,
        Attachment.entity_id == str(contract.project_id)))
    if row is None:
        raise NotFound("No file with that id among the project's attachments; upload the signed copy to the "
                       "project first.", field="signed_attachment_id")
    return row.id


def record_signed(session: Session, actor: Actor, contract: GuaranteeContract, *, via: str,
                  signed_on: dt.date | None = None, signers: Iterable[Mapping[str, str] | str] | None = None,
                  signed_attachment_id: uuid.UUID | None = None) -> GuaranteeContract:
    """Mark ``contract`` signed (the caller checked the permission and locked the project), audit it, raise
    GuaranteeContractSigned, and move the project to contracted when every required contract is signed."""
    if contract.status == CONTRACT_SIGNED:
        raise Conflict("Contract {contract_no} is already signed.", field="contract_id",
                       contract_no=contract.contract_no)
    if contract.status == CONTRACT_SUPERSEDED:
        raise Conflict("Contract {contract_no} was replaced by a regenerated one; sign that instead.",
                       field="contract_id", contract_no=contract.contract_no)
    signed_on = inputs.day(signed_on, "signed_on")
    who = _signers(signers)
    contract.status, contract.signed_via, contract.signed_on = CONTRACT_SIGNED, via, signed_on
    contract.signed_at = contract.updated_at = utcnow()
    contract.signers = who
    contract.signed_attachment_id = signed_attachment_id
    contract.recorded_by = actor.id
    session.flush()
    audit(session, "guarantee.contract.signed", entity_type="guarantee:contract", entity_id=contract.id, actor=actor,
          after={"project_id": str(contract.project_id), "contract_no": contract.contract_no,
                 "contract_type": contract.contract_type, "via": via, "signed_on": signed_on.isoformat(),
                 "signed_attachment_id": str(signed_attachment_id) if signed_attachment_id else None})
    raise_event(session, GuaranteeContractSigned(project_id=contract.project_id, contract_id=contract.id,
                                                 contract_type=contract.contract_type))
    _complete(session, actor, contract.project_id)
    return contract


def _complete(session: Session, actor: Actor, project_id: uuid.UUID) -> None:
    project = get_project(session, project_id)
    if project.status != STATUS_APPROVED:
        return
    contracts = current_contracts(session, project.id)
    have = {_key(c.contract_type, c.counter_guarantee_id) for c in contracts if c.status == CONTRACT_SIGNED}
    needed = {_key(t, c.id if c else None) for t, c in required_contracts(project_counters(session, project.id))}
    if not needed <= have or any(c.status != CONTRACT_SIGNED for c in contracts):
        return
    project.status, project.updated_at = STATUS_CONTRACTED, utcnow()
    session.flush()
    audit(session, "guarantee.project.contracted", entity_type=PROJECT_ENTITY, entity_id=project.id, actor=actor,
          before={"status": STATUS_APPROVED}, after={"status": STATUS_CONTRACTED, "contracts": len(contracts)})


def mark_signed(session: Session, actor: Actor, contract_id: uuid.UUID, *, signed_on: dt.date | None = None,
                signers: Iterable[Mapping[str, str] | str] | None = None,
                signed_attachment_id: uuid.UUID | str | None = None) -> GuaranteeContract:
    """Record by hand that a contract was signed on paper (contract:sign): the date (default today), who signed,
    and optionally the signed scan, uploaded first as an attachment of the project."""
    require(session, actor, CONTRACT, "sign")
    project_id = get_contract(session, actor, contract_id, act="sign").project_id
    get_project(session, project_id, lock=True)  # project first, then the contract: one lock order everywhere
    contract = get_contract(session, actor, contract_id, act="sign", lock=True)
    copy = _signed_copy(session, contract, signed_attachment_id)
    return record_signed(session, actor, contract, via=SIGNED_VIA_MANUAL, signed_on=signed_on, signers=signers,
                         signed_attachment_id=copy)
