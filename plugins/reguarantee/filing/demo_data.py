"""Demo filings (``surety demo``; the plugin's demo calls ``add_demo_filings`` after the partners and agreements):
a batch of six filings under each active agreement of a partner in cooperation, filed through the filing service by
a demo customer manager (``qianrui``) and decided by the admin (four eyes): most confirmed, a few returned with a
reason, a few released (normally or by compensation) and the last of each batch left awaiting confirmation. The
rows pass the demo agreements' eligibility rules (scope 小微/三农, debt ratio at most 0.70), the lines and the
household caps. Idempotent: nothing is added when a filing exists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.core.authz import enforcer
from surety.core.context import acting
from surety.core.identity.auth import user_actor
from surety.core.identity.models import User
from surety.core.identity.service import create_user
from surety.core.validators import id_check_char, uscc_check_char
from surety.core.workflow.engine import business_today
from surety.plugins.reguarantee.agreement.models import ReguaranteeAgreement
from surety.plugins.reguarantee.filing import services
from surety.plugins.reguarantee.filing.models import ReguaranteeFiling
from surety.plugins.reguarantee.partner.models import ReguaranteePartner

FILER = ("qianrui", "钱蕊（再担保业务经理）")
ROWS_PER_AGREEMENT = 6
#: Guaranteed amounts (yuan) the rows cycle through: each customer far under the 1000万 cap.
AMOUNTS = ("800000.00", "1500000.00", "3000000.00", "5000000.00", "2200000.00", "6000000.00", "950000.00")
CUSTOMERS = ("科技", "机械", "食品", "纺织", "电子", "农业合作社", "物流", "包装")
REGIONS = ("江苏省南京市", "江苏省苏州市", "江苏省无锡市", "江苏省南通市", "江苏省徐州市")
INDUSTRIES = ("制造业", "农林牧渔业", "批发和零售业", "信息技术服务业", "交通运输业")
BANKS = ("南京银行", "江苏银行", "苏州银行", "农业银行", "邮储银行")


def demo_id_card(seq: int) -> str:
    """A valid resident ID card number of a demo farmer (born 1970-1989, region 320115)."""
    first = f"320115{1970 + seq % 20}{1 + seq % 12:02d}{1 + seq % 28:02d}{seq % 1000:03d}"
    return first + id_check_char(first)


def demo_credit_code(seq: int) -> str:
    """A valid unified social credit code of a demo company (Suzhou enterprises, 91320500 + the sequence)."""
    first = f"91320500{seq:09d}"
    return first + uscc_check_char(first)


#: How the demo guarantees are secured (the monitoring's method weights read ``fields.guarantee_method``).
METHODS = ("抵押", "保证", "质押", "抵押", "保证金", "信用", "保证")


def _row(n: int, start: dt.date) -> dict:
    farmer = n % 5 == 4
    amount = Decimal(AMOUNTS[n % len(AMOUNTS)])
    return {"project_ref": f"DB-{start.year}-{n:04d}", "loan_contract_no": f"JK-{start.year}-{n:05d}",
            "customer_name": (f"农户{n:03d}" if farmer else f"江苏{CUSTOMERS[n % len(CUSTOMERS)]}有限公司{n:03d}"),
            "customer_kind": "farmer" if farmer else "enterprise",
            "customer_id_number": demo_id_card(n) if farmer else demo_credit_code(50_000 + n),
            "scope": "三农" if farmer else "小微", "region": REGIONS[n % len(REGIONS)],
            "industry": INDUSTRIES[n % len(INDUSTRIES)], "bank_name": BANKS[n % len(BANKS)],
            "loan_amount": amount + Decimal("200000.00"), "guarantee_amount": amount,
            "loan_rate": Decimal("0.0345") + Decimal("0.0005") * (n % 6), "start_date": start,
            "end_date": start + dt.timedelta(days=365), "cover_ratio": Decimal("1") if n % 3 else Decimal("0.8"),
            "fields": {"debt_ratio": f"0.{45 + n % 25}", "guarantee_method": METHODS[n % len(METHODS)]}}


def _filer(session: Session) -> User:
    user = session.scalar(select(User).where(User.username == FILER[0]))
    if user is None:
        from surety.tenants import demo as platform_demo  # noqa: PLC0415 - the demo's password and credentials file

        password = platform_demo.password()
        user = create_user(session, username=FILER[0], password=password, display_name=FILER[1],
                           roles=["customer_manager"], email=f"{FILER[0]}@demo.example.com")
        platform_demo.keep_credentials(f"re-guarantee filer: {FILER[0]}  password: {password}")
        session.flush()
        # The session may hold the tenant's permission rules from before the user existed: read them again.
        enforcer.invalidate(user.tenant_id)
    return user


def add_demo_filings(session: Session, tenant) -> None:
    """The demo filings (see the module docstring); nothing when the tenant has a filing already."""
    if session.scalar(select(ReguaranteeFiling.id).limit(1)) is not None:
        return
    admin = user_actor(session.scalar(select(User).where(User.username == "admin")))
    filer = user_actor(_filer(session))
    today = business_today()
    agreements = list(session.scalars(
        select(ReguaranteeAgreement).join(ReguaranteePartner, ReguaranteePartner.id == ReguaranteeAgreement.partner_id)
        .where(ReguaranteeAgreement.status == "active", ReguaranteePartner.status == "active",
               ReguaranteeAgreement.valid_from <= today).order_by(ReguaranteeAgreement.agreement_no)))
    n = 0
    for k, agreement in enumerate(agreements):
        rows = []
        for i in range(ROWS_PER_AGREEMENT):
            n += 1
            start = max(agreement.valid_from, today - dt.timedelta(days=20 + 17 * i + 3 * k))
            rows.append(_row(n, start))
        with acting(filer):
            result = services.file_batch(session, filer, agreement.id, rows, source="xlsx",
                                         file_name=f"{agreement.agreement_no} 备案清单.xlsx")
        if not result.ok:  # a demo row the rules refuse is a bug of this module
            raise RuntimeError(f"demo filings refused: {[r.errors('en') for r in result.refused][:1]}")
        with acting(admin):
            for i, filing_id in enumerate(result.filing_ids):
                if i == ROWS_PER_AGREEMENT - 1:
                    continue  # awaiting confirmation
                if i == 4 and k % 3 == 0:
                    services.reject_filing(session, admin, filing_id, ["担保合同扫描件不清晰，请补充后重新备案"])
                    continue
                filing = services.confirm_filing(session, admin, filing_id)
                if i == 3 and k % 4 == 1:
                    on = min(today, filing.start_date + dt.timedelta(days=10))
                    services.release_filing(session, admin, filing_id, kind="compensation" if k % 8 == 1
                                            else "normal", on=on)
    session.flush()
