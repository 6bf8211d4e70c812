"""The loans an actor may see: its data scope (core.authz.scopes.apply_scope) on the loan's customer manager
(``manager_id``, scope ``own``) and department (``department_id``, scopes ``org_unit`` and ``org_subtree``); scope
``tenant`` sees every loan. Below every area that lists loans or what hangs off them (repayments, collection cases,
the reports), which apply it to their statements; and below every service that changes a loan, or what hangs off
one, on behalf of a person (:func:`lock_loan`, :func:`lock_of_loan`): out of scope is NOT_FOUND, as for a read."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from surety.core.authz.models import SCOPE_TENANT
from surety.core.authz.scopes import apply_scope, data_scope
from surety.core.context import ACTOR_SYSTEM, Actor
from surety.core.db.locking import lock_row
from surety.core.errors import NotFound
from surety.plugins.microloan.loan.models import MicroloanLoan

M = TypeVar("M")


def scoped(session: Session, actor: Actor, stmt: Select) -> Select:
    """``stmt`` (over ``microloan_loans``) restricted to the loans in the actor's data scope."""
    return apply_scope(stmt, MicroloanLoan, session, actor, owner_column="manager_id",
                       org_unit_column="department_id")


def of_scoped_loans(session: Session, actor: Actor, stmt: Select, loan_id) -> Select:
    """``stmt`` restricted to rows whose ``loan_id`` column names a loan in the actor's data scope (what hangs off a
    loan: repayments, collection cases and actions); unchanged for scope ``tenant``."""
    if data_scope(session, actor) == SCOPE_TENANT:
        return stmt
    return stmt.where(loan_id.in_(scoped(session, actor, select(MicroloanLoan.id))))


def visible_loan(session: Session, actor: Actor, loan_id: uuid.UUID) -> MicroloanLoan:
    """The loan ``loan_id`` when it is in the actor's data scope; NotFound (``loan_id``) otherwise, as for a loan
    that does not exist (a loan out of scope is not confirmed to exist)."""
    loan = session.scalar(scoped(session, actor, select(MicroloanLoan).where(MicroloanLoan.id == loan_id)))
    if loan is None:
        raise NotFound("No loan with that id.", field="loan_id")
    return loan


def _unscoped(session: Session, actor: Actor | None) -> bool:
    """No actor (internal callers), the system actor (day-end, workflow end callbacks) or scope ``tenant``."""
    return actor is None or actor.type == ACTOR_SYSTEM or data_scope(session, actor) == SCOPE_TENANT


def lock_loan(session: Session, actor: Actor | None, loan_id: Any, column: str = "status") -> MicroloanLoan:
    """The loan ``loan_id`` locked and loaded fresh (core.db.locking.lock_by_id, the locking statement setting
    ``column`` to itself) when it is in ``actor``'s data scope; NotFound (``loan_id``) otherwise, as for a loan that
    does not exist. ``actor`` None or the system actor: any loan of the tenant."""
    criteria = [MicroloanLoan.id == loan_id]
    if not _unscoped(session, actor):
        # The scope's own WHERE clause on the loan's columns (no subquery over the table being locked).
        criteria.append(scoped(session, actor, select(MicroloanLoan.id)).whereclause)
    loan = lock_row(session, MicroloanLoan, *criteria, values={column: getattr(MicroloanLoan, column)})
    if loan is None:
        raise NotFound("No loan with that id.", field="loan_id")
    return loan


def lock_of_loan(session: Session, actor: Actor | None, model: type[M], row_id: Any, column: str, missing: str,
                 field: str) -> M:
    """The ``model`` row ``row_id`` (a row with a ``loan_id``: a repayment, a collection case) locked and loaded
    fresh when its loan is in ``actor``'s data scope; NotFound (``missing``, a template marked with ``N_``, on
    ``field``) otherwise, as for a row that does not exist. ``actor`` None or the system actor: any row of the
    tenant."""
    criteria = [model.id == row_id]
    if not _unscoped(session, actor):
        criteria.append(model.loan_id.in_(scoped(session, actor, select(MicroloanLoan.id))))
    row = lock_row(session, model, *criteria, values={column: getattr(model, column)})
    if row is None:
        raise NotFound(missing, field=field)
    return row
