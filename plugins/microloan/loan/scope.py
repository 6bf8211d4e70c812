"""The loans an actor may see: its data scope (core.authz.scopes.apply_scope) on the loan's customer manager
(``manager_id``, scope ``own``) and department (``department_id``, scopes ``org_unit`` and ``org_subtree``); scope
``tenant`` sees every loan. Below every area that lists loans or what hangs off them (repayments, collection cases,
the reports), which apply it to their statements."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from surety.core.authz.models import SCOPE_TENANT
from surety.core.authz.scopes import apply_scope, data_scope
from surety.core.context import Actor
from surety.core.errors import NotFound
from surety.plugins.microloan.loan.models import MicroloanLoan


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
