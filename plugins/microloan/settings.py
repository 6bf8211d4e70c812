"""The tenant's microloan settings (one row, ``microloan_settings``): lending limits, the approval route by amount,
the five-category day counts, the loss-provision profile, reminders and collection stages. Below every area: each
area reads its figures here (``get_settings``); origination owns the service that changes them."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate
from surety.core.settings_rows import settings_row

#: Days past due from which a loan falls into each class (正常 below the first): 1-90 关注, >90 次级, >270 可疑,
#: >360 损失 (DOMAIN.md; a tenant profile: older rural practice puts 次级 at 91-180 and 可疑 after 180).
DEFAULT_CLASS_DAYS = {"special_mention": 1, "substandard": 91, "doubtful": 271, "loss": 361}
#: Loss-provision rate by class (2002 bank guideline: 1 % general, 2/25/50/100 % specific).
DEFAULT_PROVISION_RATES = {"normal": "0.01", "special_mention": "0.02", "substandard": "0.25", "doubtful": "0.50",
                           "loss": "1.00"}
#: Collection stages by days past due: M1 from 1 day, M2 from 31, M3+ from 61.
DEFAULT_COLLECTION_STAGES = {"M1": 1, "M2": 31, "M3+": 61}
#: Approval route by amount: the loan goes to the first route whose ``max`` (yuan, inclusive) holds it; ``steps``
#: name the workflow roles that approve in turn (the last route has no ``max``).
DEFAULT_APPROVAL_ROUTES = [
    {"max": "200000.00", "steps": ["risk_officer"]},
    {"max": "1000000.00", "steps": ["risk_officer", "department_head"]},
    {"steps": ["risk_officer", "department_head", "executive"]},
]


class MicroloanSettings(TenantScoped, Base):
    """The tenant's settings of this plugin (one row, created with these defaults on first use)."""

    __tablename__ = "microloan_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    #: Loan number pattern: ``{yyyy}``, ``{yy}``, ``{mm}`` and ``{seq:0N}``.
    number_pattern: Mapped[str] = mapped_column(String(60), default="XD-{yyyy}-{seq:06}")
    #: The company's net assets at the prior year-end (yuan); None: not entered (the ratio limits cannot be checked
    #: and an approval is refused until it is).
    prior_year_net_assets: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    #: One borrower at most this part of the net assets; with its related parties at most ``related_group_ratio``.
    single_borrower_ratio: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0.10"))
    related_group_ratio: Mapped[Decimal] = mapped_column(Rate, default=Decimal("0.15"))
    #: Balance caps per borrower (yuan): online consumer loans, business loans.
    online_consumer_cap: Mapped[Decimal] = mapped_column(Money, default=Decimal("200000.00"))
    business_cap: Mapped[Decimal] = mapped_column(Money, default=Decimal("10000000.00"))
    approval_routes: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_APPROVAL_ROUTES))
    class_days: Mapped[dict] = mapped_column(JSON, default=lambda: dict(DEFAULT_CLASS_DAYS))
    provision_rates: Mapped[dict] = mapped_column(JSON, default=lambda: dict(DEFAULT_PROVISION_RATES))
    collection_stages: Mapped[dict] = mapped_column(JSON, default=lambda: dict(DEFAULT_COLLECTION_STAGES))
    #: Reminders go out this many days before a due date.
    remind_days_before: Mapped[int] = mapped_column(Integer, default=3)


def get_settings(session: Session) -> MicroloanSettings:
    """The tenant's settings row, created with the defaults on first use; read once per session."""
    return settings_row(session, MicroloanSettings)
