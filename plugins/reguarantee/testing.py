"""Helpers for tests, demo data and benchmarks of the ``reguarantee`` plugin: valid credit codes, and partners and
agreements inserted directly (no admission workflow), so each area can be tested on its own."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement, ReguaranteeProgramme
from surety.plugins.reguarantee.agreement.programmes import ensure_programmes
from surety.plugins.reguarantee.partner.models import ReguaranteePartner
from surety.plugins.reguarantee.partner.services import uscc_check_char


def make_credit_code(seq: int, prefix: str = "91320100") -> str:
    """A valid unified social credit code: ``prefix`` (registration authority, type, region), ``seq`` padded to 17
    characters, then the check character."""
    first = f"{prefix}{seq:0{17 - len(prefix)}d}"
    return first + uscc_check_char(first)


def make_partner(session: Session, *, name: str | None = None, kind: str = "guarantee_county",
                 status: str = "active", registered_capital: Decimal | str | None = "50000000.00",
                 **extra) -> ReguaranteePartner:
    """A partner written directly (``status`` as given; a random valid credit code unless given)."""
    values = dict(name=name or f"测试担保公司{secrets.token_hex(2)}", kind=kind,
                  credit_code=make_credit_code(secrets.randbelow(10**9)), region="江苏省南京市", status=status,
                  registered_capital=None if registered_capital is None else Decimal(str(registered_capital)))
    partner = ReguaranteePartner(**{**values, **extra})
    session.add(partner)
    session.flush()
    return partner


def programme(session: Session, code: str = "standard") -> ReguaranteeProgramme:
    """The tenant's programme ``code`` (the defaults created first when there are none)."""
    ensure_programmes(session)
    return session.scalar(select(ReguaranteeProgramme).where(ReguaranteeProgramme.code == code))


def make_agreement(session: Session, partner: ReguaranteePartner, *, programme_code: str = "standard",
                   status: str = "active", line_amount: str = "100000000.00",
                   valid_from: dt.date = dt.date(2026, 1, 1), valid_to: dt.date = dt.date(2028, 12, 31),
                   **extra) -> ReguaranteeAgreement:
    """An agreement written directly with the programme's split, fee rules and cap (``extra`` overrides)."""
    p = programme(session, programme_code)
    values = dict(agreement_no=f"ZDB-{secrets.token_hex(4)}", partner_id=partner.id, programme_id=p.id,
                  line_amount=Decimal(line_amount), valid_from=valid_from, valid_to=valid_to,
                  base_fee_rate=p.base_fee_rate, reduced_fee_rate=p.reduced_fee_rate,
                  reduced_threshold=p.reduced_threshold, fee_multiplier=p.fee_multiplier,
                  household_cap=p.household_cap, eligibility_rules=[], status=status,
                  **{f"share_{k}": Decimal(v) for k, v in p.split.items()})
    row = ReguaranteeAgreement(**{**values, **extra})
    session.add(row)
    session.flush()
    return row
