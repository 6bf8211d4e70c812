"""The tenant's guarantee settings: number pattern, committee threshold, green-channel ceiling, risk weights."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from surety.plugins.guarantee.models import GuaranteeSettings


def get_settings(session: Session) -> GuaranteeSettings:
    """The tenant's settings row, created with the defaults on first use."""
    row = session.scalar(select(GuaranteeSettings))
    if row is None:
        row = GuaranteeSettings()
        session.add(row)
        session.flush()
    return row
