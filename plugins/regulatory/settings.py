"""The tenant's regulatory settings (one row, ``regulatory_settings``): the company facts the ledger does not hold
(registered capital, whether it mainly serves small/micro and agriculture, its province) and every limit and weight
of the measures, defaulting to the regulation (conventions.py). Below every area: each area reads them here
(``get_settings``)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate
from surety.core.settings_rows import settings_row
from surety.plugins.regulatory import conventions as c


def default_weights() -> list[dict]:
    return [dict(w) for w in c.DEFAULT_WEIGHTS]


def default_thresholds() -> dict:
    return {k: str(v) for k, v in c.DEFAULT_THRESHOLDS.items()}


class RegulatorySettings(TenantScoped, Base):
    """The tenant's settings of this plugin (one row, created with these defaults on first use)."""

    __tablename__ = "regulatory_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    #: 注册资本 (yuan), as registered; not in the ledger.
    registered_capital: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    #: Mainly serves small/micro enterprises and agriculture (the 15x leverage cap applies).
    mainly_small_micro: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Province (行政区划 code of the province, e.g. ``320000`` 江苏) whose reporting calendar applies.
    province: Mapped[str] = mapped_column(String(6), default="")
    #: Liability-balance weights (conventions.DEFAULT_WEIGHTS) and thresholds (yuan as text).
    weights: Mapped[list] = mapped_column(JSON, default=default_weights)
    thresholds: Mapped[dict] = mapped_column(JSON, default=default_thresholds)
    #: ``gross`` or ``own`` (conventions.THRESHOLD_BASES).
    threshold_basis: Mapped[str] = mapped_column(String(10), default=c.DEFAULT_THRESHOLD_BASIS)
    #: Whether re-guaranteed shares are deducted before weighting (default no).
    deduct_reguaranteed: Mapped[bool] = mapped_column(Boolean, default=False)
    leverage_cap: Mapped[Decimal] = mapped_column(Rate, default=c.DEFAULT_LEVERAGE_CAP)
    leverage_cap_small_micro: Mapped[Decimal] = mapped_column(Rate, default=c.DEFAULT_LEVERAGE_CAP_SMALL_MICRO)
    single_party_limit: Mapped[Decimal] = mapped_column(Rate, default=c.DEFAULT_SINGLE_PARTY_LIMIT)
    related_group_limit: Mapped[Decimal] = mapped_column(Rate, default=c.DEFAULT_RELATED_GROUP_LIMIT)
    class_i_min: Mapped[Decimal] = mapped_column(Rate, default=c.DEFAULT_CLASS_I_MIN)
    class_i_ii_min: Mapped[Decimal] = mapped_column(Rate, default=c.DEFAULT_CLASS_I_II_MIN)
    class_iii_max: Mapped[Decimal] = mapped_column(Rate, default=c.DEFAULT_CLASS_III_MAX)


def get_settings(session: Session) -> RegulatorySettings:
    """The tenant's settings row, created with the defaults on first use; read once per session."""
    return settings_row(session, RegulatorySettings)
