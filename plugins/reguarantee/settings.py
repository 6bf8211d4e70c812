"""The tenant's re-guarantee settings (one row, ``reguarantee_settings``): the partner admission criteria (the
scorecard with its weights, the lowest score that goes to the committee, the lowest registered capital of a guarantee
company), the monitoring thresholds and the fee bills' period. Below every area: each area reads them here
(``get_settings``); the partner area owns the service that changes the admission criteria."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate
from surety.core.settings_rows import settings_row
from surety.plugins.reguarantee.conventions import (
    DEFAULT_ADMISSION_MIN_SCORE,
    DEFAULT_FEE_BILL_PERIOD,
    DEFAULT_MIN_REGISTERED_CAPITAL,
    DEFAULT_SCORECARD,
    DEFAULT_WARNING_THRESHOLDS,
)


def default_scorecard() -> list[dict]:
    """The default scorecard as stored: ``[{key, label, weight}]`` (weights as text, exact)."""
    return [{"key": k, "label": label, "weight": w} for k, (label, w) in DEFAULT_SCORECARD.items()]


def default_warning_thresholds() -> dict:
    """The default warning thresholds as stored: indicator -> {level: fraction as text}."""
    return {k: dict(v) for k, v in DEFAULT_WARNING_THRESHOLDS.items()}


class ReguaranteeSettings(TenantScoped, Base):
    """The tenant's settings of this plugin (one row, created with these defaults on first use)."""

    __tablename__ = "reguarantee_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    #: Admission scorecard: ``[{key, label, weight}]``, weights as text summing to 1; each criterion scored 0-100.
    admission_scorecard: Mapped[list] = mapped_column(JSON, default=default_scorecard)
    #: Lowest weighted score (0-100, inclusive) with which an admission goes on to the committee.
    admission_min_score: Mapped[Decimal] = mapped_column(Rate, default=DEFAULT_ADMISSION_MIN_SCORE)
    #: Lowest registered capital (yuan, inclusive) of a guarantee company partner; banks are not checked.
    min_registered_capital: Mapped[Decimal] = mapped_column(Money, default=DEFAULT_MIN_REGISTERED_CAPITAL)
    #: Monitoring thresholds: indicator -> {level: fraction as text}, inclusive (conventions.WARNING_LEVELS).
    warning_thresholds: Mapped[dict] = mapped_column(JSON, default=default_warning_thresholds)
    #: Fee bills per ``quarter`` or ``month``.
    fee_bill_period: Mapped[str] = mapped_column(String(10), default=DEFAULT_FEE_BILL_PERIOD)


def get_settings(session: Session) -> ReguaranteeSettings:
    """The tenant's settings row, created with the defaults on first use; read once per session."""
    return settings_row(session, ReguaranteeSettings)
