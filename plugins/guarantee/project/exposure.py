"""This plugin's answer to ``customers_exposure``: the company's in-force exposure per customer of its effective
projects, net of the banks' risk shares (docs/guarantee/finance.md, "Risk sharing").

The bank bears its credit line's ``risk_share_ratio`` of each loss, so what the company itself stands to lose on a
project is ``in_force_balance - bank share`` (the bank share rounded half-up to the fen). ``net=False`` gives the
gross figure (the balances as the banks report them)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from surety.plugins.guarantee.project.models import STATUS_EFFECTIVE, GuaranteeCreditLine, GuaranteeProject

FEN = Decimal("0.01")


def net_amount(amount: Decimal, ratio: Decimal | None) -> Decimal:
    """``amount`` less the bank's share ``amount x ratio`` (rounded half-up to the fen)."""
    share = (Decimal(amount) * (ratio or Decimal(0))).quantize(FEN, rounding=ROUND_HALF_UP)
    return Decimal(amount).quantize(FEN) - share


def exposure(session: Session, customer_ids: Iterable[uuid.UUID], *, net: bool = True) -> dict[uuid.UUID, Decimal]:
    """``{customer id: in-force balance}`` over effective projects, in one query: net of each project's bank risk
    share (its credit line's ratio; none without a line) unless ``net`` is False. The share is taken once per
    customer and ratio, on the sum of those balances. Customers without an in-force guarantee are left out."""
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        return {}
    p, line = GuaranteeProject, GuaranteeCreditLine
    rows = session.execute(
        select(p.customer_id, line.risk_share_ratio, func.sum(p.in_force_balance)).select_from(p)
        .outerjoin(line, and_(line.tenant_id == p.tenant_id, line.id == p.credit_line_id))
        .where(p.customer_id.in_(ids), p.status == STATUS_EFFECTIVE)
        .group_by(p.customer_id, line.risk_share_ratio))
    out: dict[uuid.UUID, Decimal] = {}
    for customer_id, ratio, total in rows:
        if not total:
            continue
        value = net_amount(total, ratio) if net else Decimal(total)
        out[customer_id] = out.get(customer_id, Decimal("0.00")) + value
    return {k: v for k, v in out.items() if v}
