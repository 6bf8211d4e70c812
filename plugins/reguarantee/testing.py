"""Helpers for tests, demo data and benchmarks of the ``reguarantee`` plugin: valid credit codes, and partners,
agreements and filings inserted directly (no admission workflow, no filing checks), so each area can be tested on its
own."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.validators import uscc_check_char
from surety.plugins.reguarantee.agreement import rules
from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement, ReguaranteeProgramme
from surety.plugins.reguarantee.agreement.programmes import ensure_programmes
from surety.plugins.reguarantee.agreement.services import fee_rules_of, split_of
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.partner.models import ReguaranteePartner


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


def make_filing(session: Session, agreement: ReguaranteeAgreement, *, amount: str = "5000000.00",
                status: str = "confirmed", start_date: dt.date = dt.date(2026, 3, 1),
                end_date: dt.date = dt.date(2027, 2, 28), customer_id_number: str | None = None,
                **extra) -> ReguaranteeFiling:
    """A filing written directly under ``agreement`` (no checks): the guaranteed ``amount`` split and its fee
    computed by agreement/rules.py as the filing service does; confirmed on its start date unless ``status`` says
    otherwise; a random company credit code unless ``customer_id_number`` is given (``extra`` overrides)."""
    guaranteed = Decimal(amount)
    shares = rules.split_amount(guaranteed, split_of(agreement))
    fee = rules.fee_for(guaranteed, shares["reguarantor"], fee_rules_of(agreement), (end_date - start_date).days)
    values = dict(filing_no=f"BA-{secrets.token_hex(5)}", partner_id=agreement.partner_id, agreement_id=agreement.id,
                  programme_id=agreement.programme_id, project_ref=f"P-{secrets.token_hex(5)}",
                  customer_name=f"测试企业{secrets.token_hex(2)}", customer_kind="enterprise",
                  customer_id_number=customer_id_number or make_credit_code(secrets.randbelow(10**9), "91320500"),
                  scope="小微", region="江苏省南京市", industry="制造业", bank_name="南京银行",
                  loan_amount=guaranteed, guarantee_amount=guaranteed, loan_rate=Decimal("0.0385"),
                  start_date=start_date, end_date=end_date, cover_ratio=Decimal(1), fields={},
                  **{f"share_{k}": v for k, v in shares.items()}, fee_rate=fee.rate, fee_amount=fee.fee,
                  status=status, confirmed_on=start_date if status != "filed" else None)
    row = ReguaranteeFiling(**{**values, **extra})
    session.add(row)
    session.flush()
    return row
