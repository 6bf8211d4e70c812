"""Demo customers (``surety demo``): a few individuals and corporates with valid identity numbers, related through
a legal representative and a shareholder, and one watchlisted. Idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.context import Actor
from surety.core.ports.customers import DemoCorporate

from surety.plugins.customers.models import KIND_CORPORATE, Customer
from surety.plugins.customers.testing import actor_for, make_id, make_uscc


def add_demo_customers(session: Session) -> None:
    from surety.core.identity.models import User

    from surety.plugins.customers.records import create_customer
    from surety.plugins.customers.statements import set_statement

    if session.scalar(select(Customer.id).limit(1)) is not None:
        return
    admin = session.scalar(select(User).where(User.username == "admin"))
    if admin is None:
        return
    a = actor_for(admin)
    wang = create_customer(session, a, "individual", {
        "name": "王建国", "id_number": make_id(101, born="19750312"), "phone": "13800138001",
        "address": "北京市朝阳区建国路 88 号", "occupation": "企业主", "annual_income": "850000.00",
        "tags": ["VIP"]})
    create_customer(session, a, "individual", {
        "name": "李秀英", "id_number": make_id(102, region="310101", born="19820704"), "phone": "13900139002",
        "address": "北京市朝阳区建国路 88 号", "occupation": "教师", "annual_income": "180000.00"})
    co = create_customer(session, a, "corporate", {
        "name": "北京建国建材有限公司", "credit_code": make_uscc(201), "legal_rep_name": "王建国",
        "legal_rep_id_number": wang.id_number, "registered_capital": "10000000.00", "industry": "C30",
        "region": "110105", "size": "small", "phone": "13800138001",
        "shareholders": [{"name": "王建国", "id_number": wang.id_number, "ratio": "0.7"}], "tags": ["建材"]})
    create_customer(session, a, "corporate", {
        "name": "上海浦江贸易有限公司", "credit_code": make_uscc(202, region="310115"), "legal_rep_name": "赵敏",
        "registered_capital": "5000000.00", "industry": "F51", "region": "310115", "size": "micro",
        "shareholders": [{"name": "北京建国建材有限公司", "id_number": co.id_number, "ratio": "0.4"}]})
    set_statement(session, a, co.id, dt.date(2024, 12, 31), {
        "total_assets": "32000000.00", "total_liabilities": "18000000.00", "current_assets": "15000000.00",
        "current_liabilities": "9000000.00", "inventory": "4000000.00", "equity": "14000000.00",
        "revenue": "41000000.00", "net_profit": "2100000.00"})


def ensure_corporates(session: Session, actor: Actor, corporates: Sequence[DemoCorporate]) -> dict[str, dict[str, Any]]:
    """``customers_demo_corporates``: create (as ``actor``) each of ``corporates`` no live customer has the name of,
    with a valid credit code from its ``seq`` and its statement; name -> summary of every live customer after."""
    from surety.plugins.customers.records import _summary, create_customer
    from surety.plugins.customers.statements import set_statement

    live = {c.name: c for c in session.scalars(select(Customer).where(Customer.deleted_at.is_(None)))}
    for corporate in corporates:
        if corporate.name in live:
            continue
        row = create_customer(session, actor, KIND_CORPORATE, {
            **corporate.fields, "name": corporate.name, "credit_code": make_uscc(corporate.seq)})
        if corporate.statement_period_end is not None:
            set_statement(session, actor, row.id, corporate.statement_period_end, dict(corporate.statement_lines))
        live[corporate.name] = row
    return {name: _summary(c) for name, c in live.items()}
