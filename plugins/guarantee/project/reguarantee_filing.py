"""What the re-guarantee filing channel asks guarantee for (the ``reguarantee_filing_row`` hook the reguarantee plugin
declares, docs/reguarantee/channel.md): the filing row of an effective guarantee project, from the project and the
customers port. The customer's identity number is not the guarantee plugin's to give (customers keeps it encrypted
and its port shows no identity numbers): the sender adds it when it files."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.context import Actor
from surety.core.ports import customers
from surety.plugins.guarantee.project.models import STATUS_EFFECTIVE, GuaranteeBank
from surety.plugins.guarantee.project.projects import get_project

#: guarantee's customer kind -> the filing's customer kind (reguarantee conventions.CUSTOMER_KINDS).
CUSTOMER_KINDS = {"corporate": "enterprise", "individual": "person"}
#: guarantee's loan category -> the filing's service scope (服务对象).
SCOPES = {"small_micro": "小微", "farmer": "三农"}


def filing_row(session: Session, actor: Actor, project_id: uuid.UUID) -> dict[str, Any] | None:
    """The filing row of project ``project_id`` (read with ``actor``'s permission and data scope: NotFound outside
    it); None unless the project is effective (在保)."""
    project = get_project(session, actor, project_id)
    if project.status != STATUS_EFFECTIVE:
        return None
    customer = customers.summary(session, project.customer_id) or {}
    ratios = customers.latest_ratios(session, project.customer_id)
    bank = session.scalar(select(GuaranteeBank.name).where(GuaranteeBank.id == project.bank_id)) \
        if project.bank_id else None
    fields = {}
    if ratios and ratios["debt_ratio"] is not None:
        fields["debt_ratio"] = str(ratios["debt_ratio"])
    return {"project_ref": project.project_no or "", "loan_contract_no": project.loan_contract_no or "",
            "customer_name": customer.get("name", ""), "customer_kind": CUSTOMER_KINDS.get(project.customer_kind, ""),
            "scope": SCOPES.get(project.loan_category, ""), "region": customer.get("region") or "",
            "industry": customer.get("industry") or "", "bank_name": bank or "",
            "loan_amount": project.loan_amount or project.amount, "guarantee_amount": project.amount,
            "loan_rate": project.loan_rate, "start_date": project.loan_start_date or project.effective_date,
            "end_date": project.loan_end_date, "cover_ratio": Decimal(1), "fields": fields}
