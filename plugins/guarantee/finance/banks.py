"""Partner banks and their credit lines (授信额度): create and change them, list a bank's lines with total, used and
available, and reserve or release line usage for a project under the line's row lock.

``available = total - used``. A project approved against a line reserves its amount (:func:`reserve`, called by the
automatic workflow step ``guarantee.credit_line_check``); release (part 2: the guarantee is released or
compensated) gives usage back (:func:`release`). At most one active line of a bank covers any date, so the line a
project is checked against is never ambiguous.

Risk sharing (风险分担): a line's ``risk_share_ratio`` is the bank's share of each loss on the guarantees it carries.
The bank bears :func:`bank_share` of an amount (amount x ratio, rounded half-up to the fen) and the company the rest
(:func:`net_of`). :func:`project_share_ratio` is the ratio that applies to a project: its credit line's (0 when it
holds no line, e.g. a non-financing guarantee).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core import inputs
from surety.core.audit.log import audit
from surety.core.authz.check import require
from surety.core.context import Actor
from surety.core.db.locking import lock_by_id
from surety.core.db.types import to_money
from surety.core.errors import Conflict, NotFound, ValidationFailed
from surety.core.workflow.engine import business_today
from surety.plugins.guarantee.permissions import BANK
from surety.plugins.guarantee.project.models import (
    CATEGORY_FINANCING,
    GuaranteeBank,
    GuaranteeCreditLine,
    GuaranteeProduct,
    GuaranteeProject,
)

BANK_ENTITY = "guarantee:bank"
LINE_ENTITY = "guarantee:credit_line"


class CreditLineExceeded(Conflict):
    """A project's amount is more than the available amount of its bank's credit line."""

    code = "GUARANTEE_CREDIT_LINE_EXCEEDED"


class NoCreditLine(Conflict):
    """A financing project's bank has no active credit line covering the date."""

    code = "GUARANTEE_NO_CREDIT_LINE"


# ---------------------------------------------------------------- amounts ------------------------------------------


def available(line: GuaranteeCreditLine) -> Decimal:
    return line.total - line.used


def bank_share(amount: Decimal, ratio: Decimal | None) -> Decimal:
    """The bank's share of ``amount`` under the risk-share ``ratio``: amount x ratio, rounded half-up to the fen
    (0.00 for no ratio)."""
    return to_money(Decimal(amount) * (ratio or Decimal(0)))


def net_of(amount: Decimal, ratio: Decimal | None) -> Decimal:
    """The company's share of ``amount``: amount - :func:`bank_share` (so the two always add up to the amount)."""
    return to_money(amount) - bank_share(amount, ratio)


def project_share_ratio(session: Session, project: GuaranteeProject) -> Decimal:
    """The bank's risk-share ratio that applies to ``project``: its credit line's, 0 when it holds no line."""
    if project.credit_line_id is None:
        return Decimal(0)
    ratio = session.scalar(select(GuaranteeCreditLine.risk_share_ratio)
                           .where(GuaranteeCreditLine.id == project.credit_line_id))
    return ratio if ratio is not None else Decimal(0)


# ---------------------------------------------------------------- banks --------------------------------------------


def _bank_image(b: GuaranteeBank) -> dict:
    return {"code": b.code, "name": b.name, "active": b.active}


def get_bank(session: Session, bank_id: uuid.UUID) -> GuaranteeBank:
    bank = session.scalar(select(GuaranteeBank).where(GuaranteeBank.id == bank_id))
    if bank is None:
        raise NotFound("No partner bank with that id.", field="bank_id")
    return bank


def _unique_code(session: Session, code: str, bank_id: uuid.UUID | None = None) -> None:
    stmt = select(GuaranteeBank.id).where(GuaranteeBank.code == code)
    if bank_id is not None:
        stmt = stmt.where(GuaranteeBank.id != bank_id)
    if session.scalar(stmt) is not None:
        raise Conflict("A partner bank with code {bank_code!r} already exists.", field="code", bank_code=code)


def create_bank(session: Session, actor: Actor, *, code: str, name: str) -> GuaranteeBank:
    require(session, actor, BANK, "manage")
    code, name = inputs.text(code, "code", 40, required=True), inputs.text(name, "name", 200, required=True)
    _unique_code(session, code)
    bank = GuaranteeBank(code=code, name=name, active=True)
    session.add(bank)
    session.flush()
    audit(session, "guarantee.bank.created", entity_type=BANK_ENTITY, entity_id=bank.id, after=_bank_image(bank),
          actor=actor)
    return bank


def update_bank(session: Session, actor: Actor, bank_id: uuid.UUID, *, code: str | None = None,
                name: str | None = None, active: bool | None = None) -> GuaranteeBank:
    """Change a bank's code, name or active flag (only the values given)."""
    require(session, actor, BANK, "manage")
    bank = get_bank(session, bank_id)
    before = _bank_image(bank)
    if code is not None:
        code = inputs.text(code, "code", 40, required=True)
        _unique_code(session, code, bank.id)
        bank.code = code
    if name is not None:
        bank.name = inputs.text(name, "name", 200, required=True)
    if active is not None:
        bank.active = bool(active)
    session.flush()
    audit(session, "guarantee.bank.updated", entity_type=BANK_ENTITY, entity_id=bank.id, before=before,
          after=_bank_image(bank), actor=actor)
    return bank


def list_banks(session: Session, actor: Actor, *, active_only: bool = False) -> list[GuaranteeBank]:
    require(session, actor, BANK, "read")
    stmt = select(GuaranteeBank).order_by(GuaranteeBank.name, GuaranteeBank.id)
    if active_only:
        stmt = stmt.where(GuaranteeBank.active.is_(True))
    return list(session.scalars(stmt))


# ---------------------------------------------------------------- credit lines -------------------------------------


def _line_image(line: GuaranteeCreditLine) -> dict:
    return {"bank_id": str(line.bank_id), "total": str(line.total), "used": str(line.used),
            "risk_share_ratio": str(line.risk_share_ratio), "start_date": line.start_date.isoformat(),
            "end_date": line.end_date.isoformat(), "active": line.active}


def get_line(session: Session, line_id: uuid.UUID) -> GuaranteeCreditLine:
    line = session.scalar(select(GuaranteeCreditLine).where(GuaranteeCreditLine.id == line_id))
    if line is None:
        raise NotFound("No credit line with that id.", field="line_id")
    return line


def bank_lines(session: Session, actor: Actor, bank_id: uuid.UUID) -> list[GuaranteeCreditLine]:
    """A bank's credit lines, newest period first (each with ``total``, ``used`` and :func:`available`)."""
    require(session, actor, BANK, "read")
    get_bank(session, bank_id)
    return list(session.scalars(select(GuaranteeCreditLine).where(GuaranteeCreditLine.bank_id == bank_id)
                                .order_by(GuaranteeCreditLine.start_date.desc(), GuaranteeCreditLine.id)))


def _check_line(session: Session, line: GuaranteeCreditLine) -> None:
    if line.start_date > line.end_date:
        raise ValidationFailed("A credit line starts on or before its end ({start_date} is after "
                               "{end_date}).", field="start_date", start_date=line.start_date.isoformat(),
                               end_date=line.end_date.isoformat())
    if line.total < line.used:
        raise Conflict("The total {total_yuan} yuan is below what the line already carries "
                       "({used_yuan} yuan used).", field="total", total_yuan=inputs.yuan(line.total),
                       used_yuan=inputs.yuan(line.used))
    if not line.active:
        return
    overlap = session.scalar(select(GuaranteeCreditLine.id).where(
        GuaranteeCreditLine.bank_id == line.bank_id, GuaranteeCreditLine.active.is_(True),
        GuaranteeCreditLine.id != line.id, GuaranteeCreditLine.start_date <= line.end_date,
        GuaranteeCreditLine.end_date >= line.start_date))
    if overlap is not None:
        raise Conflict("The bank already has an active credit line overlapping "
                       "{start_date} to {end_date}; end or deactivate it first.",
                       field="start_date", start_date=line.start_date.isoformat(), end_date=line.end_date.isoformat())


def create_line(session: Session, actor: Actor, bank_id: uuid.UUID, *, total: Any, start_date: dt.date,
                end_date: dt.date, risk_share_ratio: Any = Decimal(0)) -> GuaranteeCreditLine:
    """A new active credit line of a bank: ``total`` > 0, risk-sharing ratio in [0, 1], start <= end, and no other
    active line of the bank overlapping its period."""
    require(session, actor, BANK, "manage")
    bank = get_bank(session, bank_id)
    line = GuaranteeCreditLine(id=uuid.uuid4(), bank_id=bank.id, total=inputs.money(total, "total", positive=True),
                               used=Decimal("0.00"),
                               risk_share_ratio=inputs.rate(risk_share_ratio, "risk_share_ratio"),
                               start_date=start_date, end_date=end_date, active=True)
    _check_line(session, line)
    session.add(line)
    session.flush()
    audit(session, "guarantee.credit_line.created", entity_type=LINE_ENTITY, entity_id=line.id,
          after=_line_image(line), actor=actor)
    return line


def update_line(session: Session, actor: Actor, line_id: uuid.UUID, *, total: Any = None,
                risk_share_ratio: Any = None, start_date: dt.date | None = None, end_date: dt.date | None = None,
                active: bool | None = None) -> GuaranteeCreditLine:
    """Change a line (only the values given). The total cannot go below what is used; the row is locked so a
    concurrent reservation cannot slip under a lowered total."""
    require(session, actor, BANK, "manage")
    line = lock_line(session, line_id)
    before = _line_image(line)
    if total is not None:
        line.total = inputs.money(total, "total", positive=True)
    if risk_share_ratio is not None:
        line.risk_share_ratio = inputs.rate(risk_share_ratio, "risk_share_ratio")
    if start_date is not None:
        line.start_date = start_date
    if end_date is not None:
        line.end_date = end_date
    if active is not None:
        line.active = bool(active)
    with session.no_autoflush:
        _check_line(session, line)
    session.flush()
    audit(session, "guarantee.credit_line.updated", entity_type=LINE_ENTITY, entity_id=line.id, before=before,
          after=_line_image(line), actor=actor)
    return line


def lock_line(session: Session, line_id: uuid.UUID) -> GuaranteeCreditLine:
    """The credit line, row-locked and fresh (:func:`lock_by_id`)."""
    return lock_by_id(session, GuaranteeCreditLine, line_id, "used", "credit line", "line_id")


def line_covering(session: Session, bank_id: uuid.UUID, day: dt.date) -> GuaranteeCreditLine | None:
    """The bank's active line whose period covers ``day`` (at most one: active lines of a bank never overlap)."""
    return session.scalar(select(GuaranteeCreditLine).where(
        GuaranteeCreditLine.bank_id == bank_id, GuaranteeCreditLine.active.is_(True),
        GuaranteeCreditLine.start_date <= day, GuaranteeCreditLine.end_date >= day)
        .order_by(GuaranteeCreditLine.start_date.desc()))


def reserve(session: Session, project: GuaranteeProject, *, today: dt.date | None = None
            ) -> GuaranteeCreditLine | None:
    """Reserve the project's amount on its bank's line covering ``today`` (the business date by default):
    ``used += amount`` and ``project.credit_line_id`` set, under the line's row lock. Non-financing projects and
    projects without a bank need no line (None); a project already reserved is not reserved twice.

    Raises :class:`CreditLineExceeded` with the figures when the amount is more than the line's available amount,
    and :class:`NoCreditLine` when the bank has no active line covering the date; nothing is changed then."""
    if project.credit_line_id is not None:
        return get_line(session, project.credit_line_id)
    if project.bank_id is None:
        return None
    category = session.scalar(select(GuaranteeProduct.category).where(GuaranteeProduct.id == project.product_id))
    if category != CATEGORY_FINANCING:
        return None
    day = today or business_today()
    bank = get_bank(session, project.bank_id)
    found = line_covering(session, bank.id, day)
    if found is None:
        raise NoCreditLine("{name} has no active credit line covering {day}: a financing "
                           "guarantee with this bank cannot be approved until one is recorded.", field="bank_id",
                           bank_id=str(bank.id), name=bank.name, day=day.isoformat())
    line = lock_line(session, found.id)
    if project.amount > available(line):
        raise CreditLineExceeded(
            "The credit line of {name} cannot take this guarantee: line total {total_yuan} yuan, "
            "used {used_yuan} yuan, available {available_yuan} yuan, requested "
            "{amount_yuan} yuan.",
            field="amount", line_id=str(line.id), total=str(line.total), used=str(line.used),
            available=str(available(line)), requested=str(project.amount), name=bank.name,
            total_yuan=inputs.yuan(line.total), used_yuan=inputs.yuan(line.used),
            available_yuan=inputs.yuan(available(line)), amount_yuan=inputs.yuan(project.amount))
    before = _line_image(line)
    line.used = line.used + project.amount
    project.credit_line_id, project.credit_line_held = line.id, project.amount
    session.flush()
    audit(session, "guarantee.credit_line.reserved", entity_type=LINE_ENTITY, entity_id=line.id, before=before,
          after={**_line_image(line), "project_id": str(project.id), "amount": str(project.amount)})
    return line


def release(session: Session, project: GuaranteeProject, amount: Any) -> GuaranteeCreditLine | None:
    """Give ``amount`` of the project's reservation back to its line (``used -= amount``, under the row lock): on
    release of the guarantee (part 2) or when an approval that reserved is undone. None when the project holds no
    line. The amount is more than 0 and at most what the project still holds (``project.credit_line_held``, which
    releases, compensations and undone approvals share, so nothing is given back twice)."""
    if project.credit_line_id is None:
        return None
    amount = inputs.money(amount, "amount", positive=True)
    line = lock_line(session, project.credit_line_id)
    held = min(project.credit_line_held, line.used)
    if amount > held:
        raise Conflict("Cannot give {amount_yuan} yuan back to the credit line: the project holds only "
                       "{held_yuan} yuan of it.", field="amount", amount_yuan=inputs.yuan(amount),
                       held_yuan=inputs.yuan(held))
    before = _line_image(line)
    line.used = line.used - amount
    project.credit_line_held = project.credit_line_held - amount
    session.flush()
    audit(session, "guarantee.credit_line.released", entity_type=LINE_ENTITY, entity_id=line.id, before=before,
          after={**_line_image(line), "project_id": str(project.id), "amount": str(amount)})
    return line
