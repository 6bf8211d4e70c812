"""Helpers for tests, demo data and benchmarks of the ``guarantee`` plugin: products, banks, credit lines and
projects inserted directly (no screening, numbering or workflow), so each area can be tested on its own."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.context import Actor
from surety.plugins.guarantee.finance import banks, fees
from surety.plugins.guarantee.finance.loans import confirm_loan
from surety.plugins.guarantee.finance.models import GuaranteeFeeItem
from surety.plugins.guarantee.project.models import (
    CATEGORY_NON_FINANCING,
    PRODUCT_KINDS,
    STATUS_DRAFT,
    GuaranteeBank,
    GuaranteeCreditLine,
    GuaranteeProduct,
    GuaranteeProject,
)


def make_product(session: Session, *, kind: str = "loan", code: str | None = None, **extra) -> GuaranteeProduct:
    values = dict(code=code or f"P-{secrets.token_hex(3)}", name=f"{kind} guarantee", kind=kind,
                  category=PRODUCT_KINDS[kind], min_amount=Decimal("10000.00"), max_amount=Decimal("50000000.00"),
                  min_term_months=1, max_term_months=60, default_fee_rate=Decimal("0.015"),
                  requires_counter_guarantee=True)
    product = GuaranteeProduct(**{**values, **extra})
    session.add(product)
    session.flush()
    return product


def make_bank(session: Session, *, name: str = "测试银行", total: Decimal | str | None = "100000000.00",
              risk_share_ratio: Decimal | str = "0.20") -> tuple[GuaranteeBank, GuaranteeCreditLine | None]:
    """A bank and (unless ``total`` is None) an active credit line of ``total`` for 2024-2030."""
    bank = GuaranteeBank(code=f"B-{secrets.token_hex(3)}", name=name)
    session.add(bank)
    session.flush()
    line = None
    if total is not None:
        line = GuaranteeCreditLine(bank_id=bank.id, total=Decimal(str(total)),
                                   risk_share_ratio=Decimal(str(risk_share_ratio)),
                                   start_date=dt.date(2024, 1, 1), end_date=dt.date(2030, 12, 31))
        session.add(line)
        session.flush()
    return bank, line


def make_project(session: Session, actor: Actor, customer_id: uuid.UUID, *, customer_kind: str = "corporate",
                 product: GuaranteeProduct | None = None, bank: GuaranteeBank | None = None,
                 amount: Decimal | str = "3000000.00", term_months: int = 12, status: str = STATUS_DRAFT,
                 **extra) -> GuaranteeProject:
    """A project row for ``customer_id`` led by ``actor`` (number ``T-<random>``); a non-financing product's project
    names a beneficiary unless ``extra`` does."""
    product = product or make_product(session)
    if product.category == CATEGORY_NON_FINANCING:
        extra.setdefault("beneficiary_name", "某市公共资源交易中心")
    project = GuaranteeProject(
        project_no=f"T-{secrets.token_hex(4)}", customer_id=customer_id, customer_kind=customer_kind,
        product_id=product.id, bank_id=bank.id if bank else None, amount=Decimal(str(amount)),
        term_months=term_months, purpose="working capital", loan_category="small_micro",
        manager_a_id=actor.id_uuid, owner_id=actor.id_uuid, org_unit_id=actor.org_unit_id, status=status,
        created_by=actor.id_uuid, **extra)
    session.add(project)
    session.flush()
    return project


def make_effective(session: Session, actor: Actor, customer_id: uuid.UUID, *, amount: Decimal | str = "3000000.00",
                   loan: Decimal | str = "2800000.00", start: dt.date, end: dt.date,
                   margin: Decimal | str | None = "300000.00", line: bool = True, fee_rate: str = "0.015",
                   **extra) -> GuaranteeProject:
    """An effective project: on a fresh bank with a line (the amount reserved) unless ``line`` is False, a fee plan
    with ``margin`` received in full on ``start`` (no plan when ``margin`` is None), the loan confirmed from
    ``start`` to ``end``. ``actor`` needs finance's permissions (it also becomes the lead manager)."""

    bank, _ = make_bank(session, total="10000000.00" if line else None)
    project = make_project(session, actor, customer_id, bank=bank, amount=amount, status="contracted", **extra)
    if line:
        banks.reserve(session, project)
    if margin:
        fees.set_plan(session, actor, project.id, guarantee_fee_method="rate", guarantee_fee_rate=fee_rate,
                      margin_amount=margin, start_date=start)
        item = session.scalars(select(GuaranteeFeeItem).where(GuaranteeFeeItem.project_id == project.id,
                                                              GuaranteeFeeItem.fee_type == "margin")).one()
        fees.receive(session, actor, item.id, margin, received_on=start)
    confirm_loan(session, actor, project.id, loan_contract_no="JK-1", loan_amount=loan, start_date=start, end_date=end,
                 rate="0.0435")
    return project


def committee_definition(key: str) -> dict:
    """A one-step review-committee (审保会) workflow definition for ``guarantee:project`` subjects: quorum 3, passed
    by two thirds of the committee members' votes, ending approved or rejected."""
    return {
        "key": key, "name": "审保会", "subject_type": "guarantee:project", "start": "committee",
        "steps": [
            {"key": "committee", "name": "审保会", "kind": "committee", "assignee": {"role": "legal"}, "quorum": 3,
             "pass_ratio": "2/3", "member_role": "committee_member",
             "transitions": [{"to": "approved"}, {"to": "rejected", "on": "reject"}]},
            {"key": "approved", "kind": "end", "result": "approved"},
            {"key": "rejected", "kind": "end", "result": "rejected"},
        ],
    }
