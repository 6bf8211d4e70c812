"""This plugin's answer to ``customers_exposure``: the in-force balance per customer of its effective projects."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surety.plugins.guarantee.project.models import STATUS_EFFECTIVE, GuaranteeProject


def exposure(session: Session, customer_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    """``{customer id: sum of in-force balances}`` over effective projects, in one query; customers without an
    in-force guarantee are left out."""
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(GuaranteeProject.customer_id, func.sum(GuaranteeProject.in_force_balance))
        .where(GuaranteeProject.customer_id.in_(ids), GuaranteeProject.status == STATUS_EFFECTIVE)
        .group_by(GuaranteeProject.customer_id))
    return {customer_id: Decimal(total) for customer_id, total in rows if total}
