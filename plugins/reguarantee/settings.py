"""The tenant's re-guarantee settings (one row, ``reguarantee_settings``): the partner admission criteria (the
scorecard with its weights, the lowest score that goes to the committee, the lowest registered capital of a guarantee
company). Below every area: the partner area reads them here (``get_settings``) and owns the service that changes
them."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from surety.core.db.base import Base, TenantScoped
from surety.core.db.types import Money, Rate
from surety.core.settings_rows import settings_row
from surety.plugins.reguarantee.conventions import (
    DEFAULT_ADMISSION_MIN_SCORE,
    DEFAULT_MIN_REGISTERED_CAPITAL,
    DEFAULT_SCORECARD,
)


def default_scorecard() -> list[dict]:
    """The default scorecard as stored: ``[{key, label, weight}]`` (weights as text, exact)."""
    return [{"key": k, "label": label, "weight": w} for k, (label, w) in DEFAULT_SCORECARD.items()]


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


def get_settings(session: Session) -> ReguaranteeSettings:
    """The tenant's settings row, created with the defaults on first use; read once per session."""
    return settings_row(session, ReguaranteeSettings)
