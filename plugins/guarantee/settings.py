"""The tenant's guarantee settings (one row, ``guarantee_settings``): number pattern, committee threshold,
green-channel ceiling, risk weights, inspection intervals and reminder horizons. Below every area: each area reads
its figures here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import JSON, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.session import session_tenant
from surety.core.db.types import Money
from surety.core.settings_rows import settings_row
from surety.tenants.models import Tenant


class GuaranteeSettings(TenantScoped, Base):
    """The tenant's settings of this plugin (one row, created on provisioning with these defaults)."""

    __tablename__ = "guarantee_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    #: Project number pattern: ``{yyyy}``, ``{yy}``, ``{mm}`` and ``{seq:0N}`` (a counter per distinct prefix).
    number_pattern: Mapped[str] = mapped_column(String(60), default="DB-{yyyy}-{seq:05}")
    #: Amounts above this go to the review committee (yuan).
    committee_threshold: Mapped[Decimal] = mapped_column(Money, default=Decimal("5000000.00"))
    #: Renewals at most this amount take the green channel (yuan).
    green_channel_max: Mapped[Decimal] = mapped_column(Money, default=Decimal("1000000.00"))
    #: Risk weights: ``{"customer": {"corporate": "1.0", ...}, "counter": {"mortgage": "0.4", ...}}``.
    risk_weights: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Post-guarantee monitoring: the first inspection is due this many days after the guarantee takes effect,
    #: then every ``inspection_interval_days``.
    first_inspection_days: Mapped[int] = mapped_column(Integer, default=30)
    inspection_interval_days: Mapped[int] = mapped_column(Integer, default=90)
    #: Reminders: a guarantee expiring within this many days, a fee instalment due within this many days.
    expiring_within_days: Mapped[int] = mapped_column(Integer, default=30)
    fee_due_within_days: Mapped[int] = mapped_column(Integer, default=7)
    #: The guarantor as documents print it (担保人/保证人): legal name, registered address, legal representative and the
    #: text of its contract seal (合同专用章). Empty: the tenant's display name and no address line.
    legal_name: Mapped[str] = mapped_column(String(200), default="")
    legal_address: Mapped[str] = mapped_column(String(300), default="")
    legal_representative: Mapped[str] = mapped_column(String(100), default="")
    seal_text: Mapped[str] = mapped_column(String(100), default="")


def get_settings(session: Session) -> GuaranteeSettings:
    """The tenant's settings row, created with the defaults on first use; read once per session
    (core.settings_rows.settings_row)."""
    return settings_row(session, GuaranteeSettings)


@dataclass(frozen=True)
class LegalParticulars:
    """The guarantor as documents print it: ``name`` (the legal name, else the tenant's display name), registered
    ``address``, ``representative`` (法定代表人) and ``seal_text`` (the text of its contract seal); '' when not set."""

    name: str
    address: str
    representative: str
    seal_text: str


def legal_particulars(session: Session) -> LegalParticulars:
    """The tenant's :class:`LegalParticulars` (read only: a tenant without a settings row gets its display name)."""
    row = session.scalar(select(GuaranteeSettings))
    tenant = session.get(Tenant, session_tenant(session))
    name = (row.legal_name if row is not None else "") or (tenant.name if tenant is not None else "")
    if row is None:
        return LegalParticulars(name=name, address="", representative="", seal_text="")
    return LegalParticulars(name=name, address=row.legal_address or "", representative=row.legal_representative or "",
                            seal_text=row.seal_text or "")
