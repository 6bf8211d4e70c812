"""Electronic signature: send a generated contract to the e-signature provider a plugin connects (the hook
``guarantee_esign_send``, hookspecs.py), and record the provider's report that it was signed. With no provider
enabled for the tenant, contracts are signed on paper and recorded by hand (contracts.mark_signed)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.attachments import service as attachments
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.session import session_tenant
from surety.core.db.types import utcnow
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.hooks import declared, tenant_hook
from surety.core.ports import customers as door
from surety.plugins.guarantee.documents.contracts import (
    PROJECT_ENTITY,
    SIGNED_VIA_ESIGN,
    get_contract,
    get_project,
    record_signed,
)
from surety.plugins.guarantee.documents.models import (
    CONTRACT_GENERATED,
    CONTRACT_SENT,
    CONTRACT_SIGNED,
    GuaranteeContract,
)
from surety.plugins.guarantee.permissions import CONTRACT
from surety.plugins.guarantee.project.models import GuaranteeBank, GuaranteeCounterGuarantee, GuaranteeProject
from surety.plugins.guarantee.templates import fill
from surety.tenants.models import Tenant

HOOK = "guarantee_esign_send"


class EsignUnavailable(Conflict):
    """No enabled plugin took the contract for electronic signature."""

    code = "ESIGN_UNAVAILABLE"


def signers_for(session: Session, contract: GuaranteeContract, project: GuaranteeProject) -> list[dict[str, str]]:
    """Who signs ``contract``: the guarantee company with the bank (guarantee contract), the customer (entrustment
    contract) or the counter-guarantor (counter-guarantee contract; the customer when none is named)."""

    tenant = session.get(Tenant, session_tenant(session))
    company = {"role": "guarantor", "name": tenant.name if tenant else ""}
    customer = door.names(session, [project.customer_id]).get(project.customer_id, "")
    if contract.contract_type == fill.GUARANTEE:
        bank = session.scalar(select(GuaranteeBank.name).where(GuaranteeBank.id == project.bank_id)) \
            if project.bank_id else None
        return [company, {"role": "bank", "name": bank or ""}]
    if contract.contract_type == fill.ENTRUSTMENT:
        return [{"role": "customer", "name": customer}, company]
    owner = session.scalar(select(GuaranteeCounterGuarantee.owner_name).where(
        GuaranteeCounterGuarantee.id == contract.counter_guarantee_id))
    return [{"role": "counter_guarantor", "name": owner or customer}, company]


def send(session: Session, actor: Actor, contract_id: uuid.UUID) -> GuaranteeContract:
    """Send a generated contract for electronic signature (contract:sign) through the first enabled plugin that
    takes it; the contract becomes ``sent`` with the provider's reference. ESIGN_UNAVAILABLE when no provider is
    enabled (sign on paper and record it by hand)."""
    contract = get_contract(session, actor, contract_id, act="sign")
    project = get_project(session, contract.project_id, lock=True)
    contract = get_contract(session, actor, contract_id, act="sign", lock=True)
    if contract.status != CONTRACT_GENERATED:
        raise Conflict("Contract {contract_no} is {status}; only a generated contract is sent "
                       "for signature.", field="contract_id", contract_no=contract.contract_no, status=contract.status)
    _, document = attachments.download(session, actor, contract.attachment_id)
    caller = get_registry_hook(session)
    reference = caller(session=session, contract_id=contract.id, document=document,
                       signers=signers_for(session, contract, project)) if caller else None
    if reference is None:
        raise EsignUnavailable("No e-signature provider is enabled for this company: print the contract, have it "
                               "signed and record the signing by hand.", field="contract_id")
    reference = str(reference).strip()
    if not reference or len(reference) > 200:
        raise ValidationFailed("The e-signature provider answered an unusable reference.", field="contract_id")
    if session.scalar(select(GuaranteeContract.id).where(GuaranteeContract.esign_reference == reference)):
        raise Conflict("The e-signature provider answered a reference already used by another contract.",
                       field="contract_id")
    contract.status, contract.esign_reference = CONTRACT_SENT, reference
    contract.sent_at = contract.updated_at = utcnow()
    contract.sent_by = actor.id
    session.flush()
    audit(session, "guarantee.contract.sent", entity_type="guarantee:contract", entity_id=contract.id, actor=actor,
          after={"contract_no": contract.contract_no, "contract_type": contract.contract_type,
                 "reference": reference})
    return contract


def get_registry_hook(session: Session):
    """The caller of ``guarantee_esign_send`` for the tenant's enabled plugins (None if nobody declared it)."""
    return tenant_hook(session, HOOK) if declared(HOOK) else None


def signed(session: Session, actor: Actor, reference: str, signed_document: bytes | None = None, *,
           signers=None) -> GuaranteeContract:
    """The provider reports that the contract sent under ``reference`` was signed (contract:sign; a provider
    plugin calls this from its callback, acting as its integration's API key). The signed document, when given, is
    attached to the project. Repeating a report for a signed contract returns it unchanged."""
    require(session, actor, CONTRACT, "sign")
    found = session.scalar(select(GuaranteeContract).where(GuaranteeContract.esign_reference == str(reference)))
    if found is None:
        raise NotFound("No contract was sent for signature under that reference.", field="reference")
    get_project(session, found.project_id, lock=True)
    contract = get_contract(session, actor, found.id, act="sign", lock=True)
    if contract.status == CONTRACT_SIGNED and contract.signed_via == SIGNED_VIA_ESIGN:
        return contract
    copy = None
    if signed_document:
        copy = attachments.upload(session, actor, PROJECT_ENTITY, str(contract.project_id),
                                  f"{contract.contract_no}-signed", signed_document).id
    return record_signed(session, actor, contract, via=SIGNED_VIA_ESIGN, signers=signers
                         or signers_for(session, contract, get_project(session, contract.project_id)),
                         signed_attachment_id=copy)
