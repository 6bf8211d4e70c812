"""What the reports area's exports and dashboard share: the loans an actor may see (data scope on the loan's
customer manager and department) and the ratio rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select
from sqlalchemy.orm import Session

from surety.core.authz.scopes import apply_scope
from surety.core.context import Actor
from surety.plugins.microloan.loan.models import MicroloanLoan

ZERO = Decimal("0.00")
#: Places of the ratios (0.123457 is 12.3457 %).
RATIO_PLACES = 6


def scoped(session: Session, actor: Actor, stmt: Select) -> Select:
    """``stmt`` (over ``microloan_loans``) restricted to the loans in the actor's data scope: own loans are those it
    manages (``manager_id``), an org unit's those of its department (``department_id``)."""
    return apply_scope(stmt, MicroloanLoan, session, actor, owner_column="manager_id",
                       org_unit_column="department_id")


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """``numerator / denominator`` rounded half-up to RATIO_PLACES places; None when the denominator is 0."""
    if not denominator:
        return None
    return (numerator / denominator).quantize(Decimal(1).scaleb(-RATIO_PLACES), rounding=ROUND_HALF_UP)
