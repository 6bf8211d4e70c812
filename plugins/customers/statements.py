"""Financial statements by period (key balance-sheet and income-statement lines) and the ratios scorecards use."""

from __future__ import annotations

import dataclasses

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.errors import ValidationFailed

from surety.plugins.customers.models import KIND_CORPORATE, CustomerStatement
from surety.plugins.customers.permissions import STATEMENT
from surety.plugins.customers.validators import validate_money

LINES = ("total_assets", "total_liabilities", "current_assets", "current_liabilities", "inventory", "equity",
         "revenue", "net_profit")
SIGNED = frozenset({"equity", "net_profit"})  # may be negative
PERIOD_TYPES = ("annual", "quarterly", "monthly")
RATIO_PLACES = Decimal("0.000001")


def _ratio(num: Decimal | None, den: Decimal | None) -> Decimal | None:
    if num is None or den is None or den == 0:
        return None
    return (num / den).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Ratios:
    debt_ratio: Decimal | None  # total liabilities / total assets
    current_ratio: Decimal | None  # current assets / current liabilities
    quick_ratio: Decimal | None  # (current assets - inventory) / current liabilities
    roe: Decimal | None  # net profit / equity (period-end equity; None when equity <= 0)
    revenue_growth: Decimal | None  # revenue / revenue of the same period a year earlier - 1


def ratios(s: CustomerStatement, previous: CustomerStatement | None) -> Ratios:
    return Ratios(
        debt_ratio=_ratio(s.total_liabilities, s.total_assets),
        current_ratio=_ratio(s.current_assets, s.current_liabilities),
        quick_ratio=_ratio(s.current_assets - s.inventory, s.current_liabilities),
        roe=_ratio(s.net_profit, s.equity) if s.equity > 0 else None,
        revenue_growth=(_ratio(s.revenue - previous.revenue, previous.revenue) if previous is not None else None),
    )


def _year_before(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def set_statement(session: Session, actor: Actor, customer_id: uuid.UUID, period_end: dt.date,
                  lines: dict[str, Any], period_type: str = "annual") -> CustomerStatement:
    """Enter or correct a corporate customer's statement for a period (every line required, yuan)."""
    from surety.plugins.customers.records import get_customer

    require(session, actor, STATEMENT, "manage")
    customer = get_customer(session, actor, customer_id)
    if customer.kind != KIND_CORPORATE:
        raise ValidationFailed("Financial statements are kept for corporate customers.", field="customer_id")
    if period_type not in PERIOD_TYPES:
        raise ValidationFailed("A period type is one of {period_types}.", field="period_type",
                               period_types=", ".join(PERIOD_TYPES))
    values: dict[str, Decimal] = {}
    for line in LINES:
        raw = lines.get(line)
        if raw is None:
            raise ValidationFailed("The statement needs {line}.", field=line, line=line)
        if line in SIGNED and str(raw).strip().startswith("-"):
            amount = validate_money(str(raw).strip()[1:], field=line)
            values[line] = -amount if amount is not None else None
        else:
            values[line] = validate_money(raw, field=line)
    unknown = set(lines) - set(LINES)
    if unknown:
        raise ValidationFailed("Unknown statement line {line!r}.", field=sorted(unknown)[0], line=sorted(unknown)[0])
    if values["inventory"] > values["current_assets"]:
        raise ValidationFailed("Inventory cannot exceed current assets.", field="inventory")
    if values["current_assets"] > values["total_assets"]:
        raise ValidationFailed("Current assets cannot exceed total assets.", field="current_assets")
    row = session.scalar(select(CustomerStatement).where(
        CustomerStatement.customer_id == customer.id, CustomerStatement.period_type == period_type,
        CustomerStatement.period_end == period_end))
    before = None
    if row is None:
        row = CustomerStatement(customer_id=customer.id, period_type=period_type, period_end=period_end, **values)
        session.add(row)
    else:
        before = {line: str(getattr(row, line)) for line in LINES}
        for line, amount in values.items():
            setattr(row, line, amount)
    session.flush()
    audit(session, "customers.statement.set", entity_type="customers:statement", entity_id=row.id, before=before,
          after={"customer_id": str(customer.id), "period_type": period_type, "period_end": period_end.isoformat(),
                 **{line: str(values[line]) for line in LINES}}, actor=actor)
    return row


@dataclass(frozen=True)
class StatementView:
    statement: CustomerStatement
    ratios: Ratios


def statements(session: Session, actor: Actor, customer_id: uuid.UUID, period_type: str | None = None
               ) -> list[StatementView]:
    """The customer's statements, latest period first, each with its ratios."""
    from surety.plugins.customers.records import get_customer

    require(session, actor, STATEMENT, "read")
    customer = get_customer(session, actor, customer_id)
    stmt = select(CustomerStatement).where(CustomerStatement.customer_id == customer.id)
    if period_type:
        stmt = stmt.where(CustomerStatement.period_type == period_type)
    rows = session.scalars(stmt.order_by(CustomerStatement.period_end.desc())).all()
    index = {(r.period_type, r.period_end): r for r in rows}
    return [StatementView(r, ratios(r, index.get((r.period_type, _year_before(r.period_end))))) for r in rows]


def latest_ratios(session: Session, customer_id: uuid.UUID) -> dict | None:
    """``customers_latest_ratios``: the ratios of the latest annual statement (else the latest of any type)."""
    rows = session.scalars(select(CustomerStatement).where(CustomerStatement.customer_id == customer_id)
                           .order_by(CustomerStatement.period_end.desc())).all()
    if not rows:
        return None
    latest = next((r for r in rows if r.period_type == "annual"), rows[0])
    previous = next((r for r in rows if r.period_type == latest.period_type
                     and r.period_end == _year_before(latest.period_end)), None)
    return {"period_type": latest.period_type, "period_end": latest.period_end,
            **dataclasses.asdict(ratios(latest, previous))}
